import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain } from '../support/processes.js';
import {
  configureSections,
  fakeProvider,
  proxyRefusing,
  startProxyWithEnv,
} from '../support/routing-gateway.js';

const KEY = 'sk-fake-ssrf-0123456789abcdef';
let gateway: TestGateway;
let cloud: FakeOpenAICloud | undefined;

afterEach(async () => {
  await gateway.stop();
  await cloud?.close();
  cloud = undefined;
});

function configCheck(home: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [cliMain, 'config', 'check'], {
    env: { ...process.env, MLX_GATEWAY_HOME: home },
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('SSRF: upstream URLs are checked when the config is loaded', () => {
  it.each([
    [
      'a provider at the cloud metadata address, even with allowPrivateNetwork',
      'providers:\n  meta: { backend: openai-compatible, url: "http://169.254.169.254/v1", allowPrivateNetwork: true }\n',
      'providers.meta.url: refused: 169.254.169.254 is a cloud metadata address (169.254.169.254/32); always refused',
    ],
    [
      'a provider on the loopback interface without allowPrivateNetwork',
      'providers:\n  lan: { backend: openai-compatible, url: "http://127.0.0.1:8000/v1" }\n',
      'providers.lan.url: refused: 127.0.0.1 is a loopback address (127.0.0.0/8); refused unless loopback addresses are allowed; set allowPrivateNetwork: true if this server is yours',
    ],
    [
      'a remote model on a private network without allowPrivateNetwork',
      'models:\n  lan-model: { backend: openai-compatible, url: "http://10.0.0.5:8000/v1" }\n',
      'models.lan-model.url: refused: 10.0.0.5 is a private network address (10.0.0.0/8)',
    ],
  ])('refuses %s: the proxy does not start and says why', async (_what, sections, reason) => {
    gateway = new TestGateway();
    await configureSections(gateway, sections);
    const { code, output } = await proxyRefusing(gateway);
    expect(code).toBe(1);
    expect(output).toContain(reason);
    expect(output).not.toContain('listening');

    const check = configCheck(gateway.home);
    expect(check.status).not.toBe(0);
    expect(check.output).toContain(reason);
  });

  it('accepts a provider on 127.0.0.1 with allowPrivateNetwork (the fake cloud), and routes to it', async () => {
    gateway = new TestGateway();
    cloud = await FakeOpenAICloud.start({ apiKey: KEY });
    await configureSections(
      gateway,
      `providers:\n${fakeProvider('lan', cloud.baseUrl, 'SSRF_CLOUD_KEY')}`,
    );
    const url = await startProxyWithEnv(gateway, { SSRF_CLOUD_KEY: KEY });
    const res = await postJson(`${url}/v1/chat/completions`, {
      model: 'lan/qwen-72b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    expect(cloud.requests.map((r) => [r.model, r.authorized])).toEqual([['qwen-72b', true]]);
  });
});
