import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { freePort, portRanges, writeConfig } from '../support/processes.js';
import { fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

/**
 * Issue 18 item 2, as a user meets it: a local model whose server is not installed, a fallback
 * whose key is not set, a model in backoff, a `command` model asked for tools. Each answer says
 * what failed and how to fix it.
 */
const KEY = 'sk-fake-cloud-hints-0123456789abcdef';
const MISSING = 'mlx-gateway-no-such-server';

const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let url = '';

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: KEY });
  writeConfig(
    gateway.home,
    `listen: 127.0.0.1:${await freePort()}
supervisor:
  ports: ${await portRanges()}
  failureBackoff: { initial: 60s }
providers:
${fakeProvider('cloud', cloud.baseUrl, 'HINTS_CLOUD_KEY')}${fakeProvider('nokey', cloud.baseUrl, 'HINTS_UNSET_KEY')}
models:
  local-first:
    backend: command
    command: [${MISSING}]
    fallbacks: [cloud-nokey]
  alone:
    backend: command
    command: [${MISSING}-2]
  cloud-nokey: { provider: nokey, upstreamModel: n-model }
  cloud-ok: { provider: cloud, upstreamModel: ok-model }
`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, { HINTS_CLOUD_KEY: KEY });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The supervisor's words for a command that is not on PATH, whatever PATH the test runs with. */
const notOnPath = (command: string, model: string): string =>
  `could not start the model server: the command "${command}" was not found on PATH \\(searched [^)]+\\); ` +
  escape(
    `install it, or set \`command:\` in models.${model} to its full path, for example \`command: [/opt/homebrew/bin/${command}]\``,
  );

describe('errors that say how to fix things', () => {
  it('names every target of a failed fallback chain and its reason', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('local-first'));
    expect(res.status).toBe(500);
    expect(res.headers['x-mlx-gateway-target']).toBeUndefined();
    expect(res.body.error.code).toBe('secret_not_found');
    expect(res.body.error.message).toMatch(
      new RegExp(
        `^every target of the fallback chain failed: 1\\. local-first: ${notOnPath(MISSING, 'local-first')}; ` +
          `2\\. cloud-nokey: ${escape('environment variable HINTS_UNSET_KEY is not set')}`,
      ),
    );
  });

  it('says which target answered a successful request', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-ok'));
    expect(res.status).toBe(200);
    expect(res.headers['x-mlx-gateway-target']).toBe('cloud-ok');
  });

  it('answers a model in backoff with 503, Retry-After and the clear command', async () => {
    const first = await postJson(`${url}/v1/chat/completions`, chat('alone'));
    expect(first.status).toBe(503);
    expect(first.body.error.message).toMatch(new RegExp(`^${notOnPath(`${MISSING}-2`, 'alone')}$`));

    const again = await postJson(`${url}/v1/chat/completions`, chat('alone'));
    expect(again.status).toBe(503);
    expect(again.body.error.code).toBe('model_backoff');
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(again.body.error.message).toMatch(
      new RegExp(
        `^model 'alone' failed to start and is in backoff: ${notOnPath(`${MISSING}-2`, 'alone')}; ` +
          `it is tried again in ${retryAfter}s, or at once after \`mlx-gateway clear alone\`$`,
      ),
    );
  });

  it('tells how to declare tools on a command model', async () => {
    const res = await postJson(
      `${url}/v1/chat/completions`,
      chat('alone', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'unsupported_feature',
      type: 'invalid_request_error',
      param: 'tools',
      message:
        "model 'alone' does not support tools (capability 'tools', backend command); choose a " +
        'model that does (see GET /v1/gateway/models), or, if it does, declare it in the config: ' +
        '`capabilities: { tools: true }` in models.alone',
    });
  });
});
