import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { MODULE_LOAD_LOG } from '../support/module-load-log.js';
import { repoRoot } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

/**
 * Issue 17 item 1, in the real proxy process: the API translators (packages/proxy/src/translate)
 * load on the first request that translates, not at start. The proxy runs with a loader hook
 * (support/module-load-log.ts) that writes the URL of every module it loads to a file.
 */
const OPENAI_KEY = 'sk-fake-lazy-translators-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-fake-lazy-translators-0123456789abcdef';

/** The small helpers of translate/ every proxy loads (heartbeat frame, guards, usage split). */
const ALWAYS_LOADED = ['guards.js', 'load-translators.js', 'sse.js', 'usage.js'];
/** Modules of the translation an Anthropic request to an OpenAI-compatible model needs. */
const TRANSLATORS = [
  'translators.js',
  'anthropic-to-openai-request.js',
  'openai-to-anthropic-response.js',
  'capability-check.js',
  'count-tokens.js',
  'responses/responses-to-chat-request.js',
];

const translateDir = pathToFileURL(join(repoRoot, 'packages/proxy/dist/translate/')).href;
const proxyMainUrl = pathToFileURL(join(repoRoot, 'packages/proxy/dist/main.js')).href;
const hook = pathToFileURL(join(repoRoot, 'integration-tests/dist/support/module-load-log.js'));

const gateway = new TestGateway();
const loadLog = join(gateway.home, 'modules-loaded.txt');
let cloud: FakeOpenAICloud;
let anthropic: FakeAnthropicApi;
let url = '';

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: OPENAI_KEY });
  anthropic = await FakeAnthropicApi.start({ apiKey: ANTHROPIC_KEY });
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', cloud.baseUrl, 'LAZY_OPENAI_KEY')}
models:
  gpt: { provider: cloud, upstreamModel: gpt-4o }
  claude:
    backend: anthropic
    url: ${anthropic.url}
    apiKey: "\${env:LAZY_ANTHROPIC_KEY}"
    allowPrivateNetwork: true
    upstreamModel: claude-sonnet-4-5
`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, {
    LAZY_OPENAI_KEY: OPENAI_KEY,
    LAZY_ANTHROPIC_KEY: ANTHROPIC_KEY,
    NODE_OPTIONS: `--import="${hook.href}"`,
    [MODULE_LOAD_LOG]: loadLog,
  });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
  await anthropic?.close();
});

/** Every module URL the proxy has loaded so far. */
function loaded(): string[] {
  return readFileSync(loadLog, 'utf8').split('\n').filter(Boolean);
}

/** The modules of packages/proxy/dist/translate/ loaded so far, by their path in it. */
function translateModules(): string[] {
  return loaded()
    .filter((module) => module.startsWith(translateDir))
    .map((module) => module.slice(translateDir.length))
    .sort();
}

const messages = (model: string) => ({
  model,
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hello' }],
});

describe('the translators load when first used', () => {
  it('are not loaded at start, nor by requests in the upstream’s own API; the first translated request loads them', async () => {
    // The hook sees the proxy's modules (else the checks below would prove nothing).
    expect(loaded()).toContain(proxyMainUrl);
    expect(translateModules()).toEqual(ALWAYS_LOADED);

    const chat = await postJson(`${url}/v1/chat/completions`, {
      model: 'gpt',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(chat.status, JSON.stringify(chat.body)).toBe(200);
    expect(chat.body.object).toBe('chat.completion');
    expect(translateModules()).toEqual(ALWAYS_LOADED);

    const relayed = await postJson(`${url}/v1/messages`, messages('claude'));
    expect(relayed.status, JSON.stringify(relayed.body)).toBe(200);
    expect(relayed.body.type).toBe('message');
    expect(translateModules()).toEqual(ALWAYS_LOADED);

    const upstreamCalls = cloud.requests.length;
    const translated = await postJson(`${url}/v1/messages`, messages('gpt'));
    expect(translated.status, JSON.stringify(translated.body)).toBe(200);
    expect(translated.body.type).toBe('message');
    expect(translated.body.model).toBe('gpt');
    expect(translated.body.content[0].type).toBe('text');
    // It reached the OpenAI-compatible upstream as a chat completion request.
    expect(cloud.requests.slice(upstreamCalls).map((r) => r.path)).toContain(
      '/v1/chat/completions',
    );
    const now = translateModules();
    for (const module of [...ALWAYS_LOADED, ...TRANSLATORS]) expect(now).toContain(module);

    // Later translated requests use them as they are.
    const again = await postJson(`${url}/v1/messages`, messages('gpt'));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.type).toBe('message');
  });
});
