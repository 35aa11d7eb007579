import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import type { Browser, Page } from 'puppeteer-core';
import { request } from 'undici';
import { postJson } from '../support/http.js';
import { launchChromium, screenshotBoth } from '../support/browser.js';
import { plantSecret, scanText } from '../support/leak-scan.js';
import {
  Cleanup,
  freePort,
  portRanges,
  registeredChildren,
  standinModel,
  startProxyProcess,
  startSupervisor,
  tempHome,
  writeConfig,
} from '../support/processes.js';
import { streamChat } from '../support/sse-client.js';

/**
 * The dashboard in a real headless Chromium against the real supervisor, proxy and stand-in
 * model server: a model started with its button becomes ready on the page without a reload, a
 * request appears in the activity, a stalled stream is cancelled from the page (its client
 * gets the error end), a log is followed live. Each page is photographed in both themes for
 * docs/dashboard.md, and every page and fragment served is scanned for the configured secret.
 */

/** The browser's globals as the functions evaluated in the page use them (no DOM types here). */
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const window: Record<string, unknown>;

const cleanup = new Cleanup();
const home = tempHome();
cleanup.dir(home);
const secret = plantSecret('dashboard remote key', 'sk-dash-');
let url = '';
let browser: Browser;
let page: Page;
/** Every HTML or text body the browser received from the dashboard, for the secret scan. */
const served: Array<{ where: string; text: string }> = [];

beforeAll(async () => {
  process.env['DASHBOARD_TEST_KEY'] = secret.value;
  const port = await freePort();
  writeConfig(
    home,
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
audit:
  capture:
    models: [tiny]
models:
${standinModel('tiny', { MLX_STANDIN_LOAD_MS: 400, MLX_STANDIN_TOKEN_MS: 20 })}
${standinModel('stalls', { MLX_STANDIN_LOAD_MS: 200, MLX_STANDIN_STREAM: 'stall-after:2' })}
  cloud:
    backend: openai-compatible
    url: http://127.0.0.1:9/v1
    apiKey: \${env:DASHBOARD_TEST_KEY}
    allowPrivateNetwork: true
`,
  );
  const supervisor = await startSupervisor(home);
  cleanup.group(supervisor.pid);
  const proxy = await startProxyProcess(home);
  cleanup.group(proxy.pid);
  url = proxy.url;
  // The proxy resolves (and so registers for scrubbing) the key on a request to its model.
  expect((await postJson(`${url}/v1/chat/completions`, { ...chat, model: 'cloud' })).status).toBe(
    502,
  );
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('response', (res) => {
    const type = res.headers()['content-type'] ?? '';
    if (!res.url().includes('/dashboard') || type.includes('event-stream')) return;
    res.text().then(
      (text) => served.push({ where: res.url(), text }),
      () => undefined,
    );
  });
});

afterAll(async () => {
  await browser?.close();
  delete process.env['DASHBOARD_TEST_KEY'];
  await cleanup.run(registeredChildren(home).map((c) => c.pid));
});

const chat = { model: 'tiny', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 };

describe('the dashboard in Chromium', () => {
  it('starts a model with its button and shows it ready without a reload', async () => {
    await page.goto(`${url}/dashboard/models`);
    await page.waitForSelector('tr[data-model="tiny"][data-state="stopped"]');
    await page.evaluate(() => {
      window['notReloaded'] = true;
    });
    await page.click('tr[data-model="tiny"] button[data-action="start"]');
    await page.waitForSelector('tr[data-model="tiny"][data-state="ready"]', { timeout: 30_000 });
    expect(await page.evaluate(() => window['notReloaded'])).toBe(true);
    const row = await page.$eval('tr[data-model="tiny"]', (el) => el.textContent ?? '');
    expect(row).toContain('operator');
    await screenshotBoth(page, 'models');
    await page.setViewport({ width: 390, height: 844, isMobile: true });
    await screenshotBoth(page, 'models-phone');
    await page.setViewport({ width: 1280, height: 800 });
  });

  it('shows a request in the activity as it ends', async () => {
    await page.goto(`${url}/dashboard/activity`);
    await page.waitForFunction(() => document.body.dataset['live'] === 'on');
    const id = randomUUID();
    const res = await postJson(`${url}/v1/chat/completions`, chat, { 'x-request-id': id });
    expect(res.status).toBe(200);
    await page.waitForSelector(`tr[data-request-id="${id}"]`, { timeout: 15_000 });
    const text = await page.$eval(`tr[data-request-id="${id}"]`, (el) => el.textContent ?? '');
    expect(text).toContain('200');
    expect(text).toContain('tiny');
    await screenshotBoth(page, 'activity');
    await page.click(`tr[data-request-id="${id}"] a`);
    await page.waitForSelector('dl.detail');
    const detail = await page.$eval('main', (el) => el.textContent ?? '');
    expect(detail).toContain(id);
    // audit.capture names tiny: the request's bodies are on its page.
    expect(detail).toContain('Request body');
    expect(detail).toContain('"content": "hello"');
    await screenshotBoth(page, 'request');
  });

  it('cancels a stalled stream from the page, and its client gets the error end', async () => {
    await page.goto(`${url}/dashboard/activity`);
    const id = randomUUID();
    const stream = streamChat(
      `${url}/v1/chat/completions`,
      { ...chat, model: 'stalls', stream: true, max_tokens: 50 },
      { headers: { 'x-request-id': id } },
    );
    const button = `button[data-cancel="${id}"]`;
    await page.waitForSelector(button, { timeout: 15_000 });
    await screenshotBoth(page, 'inflight');
    await page.click(button);
    const outcome = await stream;
    expect(outcome.status).toBe(200);
    const last = outcome.events.filter((e) => e !== '[DONE]').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({
      error: { message: expect.stringMatching(/cancelled/) },
    });
    await page.waitForSelector(`tr[data-request-id="${id}"]`, { timeout: 15_000 });
    expect(await page.$eval(`tr[data-request-id="${id}"]`, (el) => el.textContent ?? '')).toContain(
      'incomplete: cancelled',
    );
    expect(await page.$(button)).toBeNull();
  });

  it('follows a model log live, colours rendered and markup escaped', async () => {
    await page.goto(`${url}/dashboard/logs?source=model:tiny`);
    await page.waitForSelector('#log[data-following="on"]');
    const marker = randomUUID();
    appendFileSync(
      join(home, 'logs', 'tiny.log'),
      `\u001b[31mERROR ${marker} <b>not bold</b>\u001b[0m key=${secret.value}\n`,
    );
    await page.waitForFunction(
      (m) => document.querySelector('#log')?.textContent?.includes(m) === true,
      { timeout: 10_000 },
      marker,
    );
    const html = await page.$eval('#log', (el) => el.innerHTML);
    expect(html).toContain('ansi-red-fg');
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(html).not.toContain(secret.core);
    served.push({ where: 'followed log', text: html });
    await screenshotBoth(page, 'logs');
  });

  it('draws the charts and checks an edited config line by line', async () => {
    await page.goto(`${url}/dashboard/charts`);
    await page.waitForSelector('svg.chart polyline, svg.chart circle');
    await screenshotBoth(page, 'charts');
    await page.goto(`${url}/dashboard/config`);
    expect(await page.$eval('pre.log', (el) => el.textContent ?? '')).toContain(
      '${env:DASHBOARD_TEST_KEY}',
    );
    await page.$eval('textarea.config', (el) => {
      const area = el as unknown as { value: string };
      area.value = area.value.replace(
        'modelPath: test/tiny',
        'modelPath: test/tiny\n    idleTimeout: soon',
      );
    });
    await page.click('form button[type="submit"]');
    await page.waitForSelector('#config-result li[data-line]');
    const problem = await page.$eval('#config-result li', (el) => el.textContent ?? '');
    expect(problem).toMatch(/line \d+/);
    expect(problem).toContain('idleTimeout');
    await screenshotBoth(page, 'config');
  });

  it('applies an edited config through the reload: a new alias is served at once', async () => {
    await page.goto(`${url}/dashboard/config`);
    await page.$eval('textarea.config', (el) => {
      const area = el as unknown as { value: string };
      area.value = area.value.replace(
        'modelPath: test/tiny',
        'modelPath: test/tiny\n    aliases: [tiny-renamed]',
      );
    });
    await page.click('button[hx-post="/dashboard/config/apply"]');
    await page.waitForSelector('#config-result ul.ok-note');
    const result = await page.$eval('#config-result', (el) => el.textContent ?? '');
    expect(result).toContain('the gateway reloaded the config');
    expect(result).toContain('models updated in place: tiny');
    // The proxy follows the supervisor's config event: the alias routes without a restart.
    await waitUntil(async () => {
      const res = await postJson(`${url}/v1/chat/completions`, { ...chat, model: 'tiny-renamed' });
      return res.status === 200;
    }, 'the new alias served');
  });

  it('refuses a POST without the CSRF token or from another origin', async () => {
    const models = await request(`${url}/dashboard/models`);
    const cookie = String(models.headers['set-cookie']).split(';')[0] ?? '';
    const html = await models.body.text();
    const token = /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const post = (headers: Record<string, string>) =>
      request(`${url}/dashboard/models/tiny/stop`, {
        method: 'POST',
        headers: { cookie, ...headers },
      });
    const origin = url;
    expect((await post({ origin })).statusCode).toBe(403);
    expect((await post({ origin: 'http://evil.example', 'x-csrf-token': token })).statusCode).toBe(
      403,
    );
    expect((await post({ 'sec-fetch-site': 'cross-site', 'x-csrf-token': token })).statusCode).toBe(
      403,
    );
    expect((await post({ origin, 'x-csrf-token': 'forged' })).statusCode).toBe(403);
    const host = new URL(url).host;
    const rebound = await request(`${url}/dashboard/models`, {
      headers: { host: `evil.example:${host.split(':')[1]}` },
    });
    expect(rebound.statusCode).toBe(403);
    await rebound.body.dump();
  });

  it('never serves the configured secret on any page or fragment', async () => {
    for (const path of [
      '/dashboard/models/table',
      '/dashboard/activity/records',
      '/dashboard/activity/inflight',
      '/dashboard/charts/grid',
      '/dashboard/config',
      '/dashboard/logs?source=gateway:proxy',
    ]) {
      const res = await request(`${url}${path}`);
      served.push({ where: path, text: await res.body.text() });
    }
    expect(served.length).toBeGreaterThan(10);
    const hits = served.flatMap(({ where, text }) => scanText(where, text, [secret]));
    expect(hits).toEqual([]);
  });
});
