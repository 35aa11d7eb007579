import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { getJson, postJson, postStream } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

const OPENAI_KEY = 'sk-fake-openai-0123456789abcdef';
const OTHER_KEY = 'sk-fake-other-0123456789abcdef';

const gateway = new TestGateway();
let openai: FakeOpenAICloud;
let other: FakeOpenAICloud;
let url = '';

beforeAll(async () => {
  openai = await FakeOpenAICloud.start({ apiKey: OPENAI_KEY });
  other = await FakeOpenAICloud.start({ apiKey: OTHER_KEY });
  await configureSections(
    gateway,
    `providers:
  openai: { backend: openai, url: "${openai.baseUrl}", apiKey: "\${env:FAKE_OPENAI_KEY}", allowPrivateNetwork: true }
${fakeProvider('fakecloud', other.baseUrl, 'FAKE_OTHER_KEY')}
routing:
  prefixes:
    - { prefix: "keep/", provider: fakecloud, strip: false }
    - { prefix: "cloud/", provider: fakecloud }
  rules:
    - { match: "^gpt-(4o.*)$", provider: openai, upstreamModel: "upstream-$1" }
    - { match: "^tiny", provider: fakecloud }
    - { match: "^cloud/", provider: openai }
    - { match: "^qwen", model: tiny }
models:
${standinModel('tiny', { MLX_STANDIN_LOAD_MS: 100 }, '    aliases: [tiny-alias]\n')}
  cloud/special: { provider: openai, upstreamModel: special-exact }
`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, {
    FAKE_OPENAI_KEY: OPENAI_KEY,
    FAKE_OTHER_KEY: OTHER_KEY,
  });
});

afterAll(async () => {
  await gateway.stop();
  await openai?.close();
  await other?.close();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'route me' }],
  max_tokens: 4,
  ...extra,
});

type Upstream = 'local' | 'openai' | 'fakecloud';

/**
 * Sends one chat request and says which upstream got it, with the model id it received; for
 * the local stand-in (whose answer names the model the client asked for, like every answer),
 * the local model that answered, from the x-mlx-gateway-target header.
 */
async function routeOf(name: string): Promise<[Upstream, string | undefined]> {
  const before = { openai: openai.requests.length, fakecloud: other.requests.length };
  const res = await postJson(`${url}/v1/chat/completions`, chat(name), {
    authorization: 'Bearer a-client-key-that-must-not-travel',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const reached: Array<[Upstream, string | undefined]> = [];
  for (const request of openai.requests.slice(before.openai))
    reached.push(['openai', request.model]);
  for (const request of other.requests.slice(before.fakecloud)) {
    reached.push(['fakecloud', request.model]);
  }
  if (reached.length === 0) return ['local', res.headers['x-mlx-gateway-target'] as string];
  expect(reached).toHaveLength(1);
  return reached[0]!;
}

describe('routing, end to end: which upstream gets which model id', () => {
  it.each<[string, Upstream, string]>([
    ['tiny', 'local', 'tiny'],
    ['tiny-alias', 'local', 'tiny'],
    ['mlx/tiny', 'local', 'tiny'],
    ['mlx/tiny-alias', 'local', 'tiny'],
    ['qwen2.5-7b', 'local', 'tiny'],
    ['cloud/special', 'openai', 'special-exact'],
    ['cloud/llama-3-8b', 'fakecloud', 'llama-3-8b'],
    ['keep/meta-llama/llama-3', 'fakecloud', 'keep/meta-llama/llama-3'],
    ['fakecloud/mixtral', 'fakecloud', 'mixtral'],
    ['openai/gpt-4o', 'openai', 'gpt-4o'],
    ['gpt-4o-mini', 'openai', 'upstream-4o-mini'],
    ['tinyllama', 'fakecloud', 'tinyllama'],
  ])('%s → %s as %s', async (name, upstream, upstreamModel) => {
    expect(await routeOf(name)).toEqual([upstream, upstreamModel]);
  });

  it('sends each provider its own key, never the client’s', () => {
    expect(openai.requests.length).toBeGreaterThan(0);
    expect(other.requests.length).toBeGreaterThan(0);
    expect([...openai.requests, ...other.requests].every((r) => r.authorized)).toBe(true);
  });

  it('streams through a prefix route', async () => {
    const stream = await postStream(
      `${url}/v1/chat/completions`,
      chat('openai/gpt-4o', { stream: true }),
    );
    expect(stream.status).toBe(200);
    expect(stream.events.at(-1)).toBe('[DONE]');
    const text = stream.events
      .slice(0, -1)
      .map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('Hello from the fake cloud, model gpt-4o');
    expect(openai.requests.at(-1)).toMatchObject({ model: 'gpt-4o', stream: true });
  });

  it('serves embeddings through a provider prefix', async () => {
    const res = await postJson(`${url}/v1/embeddings`, {
      model: 'cloud/text-embedding-3-small',
      input: ['a', 'b'],
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(other.requests.at(-1)).toMatchObject({
      path: '/v1/embeddings',
      model: 'text-embedding-3-small',
    });
  });

  it('refuses a request that needs a capability the provider lacks, before anything is sent', async () => {
    const before = other.requests.length;
    const res = await postJson(
      `${url}/v1/chat/completions`,
      chat('cloud/llava', {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }],
          },
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'unsupported_feature',
      type: 'invalid_request_error',
    });
    expect(res.body.error.message).toContain("model 'cloud/llava' does not support image inputs");
    expect(other.requests.length).toBe(before);
  });
});

describe('routing, end to end: names that route nowhere', () => {
  it('answers 404 with the closest configured names', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-specal'));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        message:
          "model 'cloud-specal' is not configured; did you mean 'cloud/special'? (see GET /v1/models)",
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('suggests local models for an unknown mlx/ name', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('mlx/tinny'));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain("did you mean 'mlx/tiny'");
  });

  it('says how to configure a well-known provider that is not configured', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('anthropic/claude-sonnet-4-5'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('model_not_found');
    expect(res.body.error.message).toContain("no provider 'anthropic' is configured");
    expect(res.body.error.message).toContain('providers: { anthropic: { backend: anthropic');
  });
});

describe('routing, end to end: what the model lists show', () => {
  it('GET /v1/models lists configured names and aliases only', async () => {
    const res = await getJson(`${url}/v1/models`);
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual([
      'tiny',
      'tiny-alias',
      'cloud/special',
    ]);
  });

  it('GET /v1/gateway/models shows models, providers and the routing table, without URLs or keys', async () => {
    const res = await getJson(`${url}/v1/gateway/models`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ name: 'tiny', kind: 'local', aliases: ['tiny-alias'] }),
      expect.objectContaining({
        name: 'cloud/special',
        kind: 'remote',
        backend: 'openai',
        provider: 'openai',
        upstreamModel: 'special-exact',
      }),
    ]);
    expect(res.body.data[0].state).toMatch(/^(ready|stopped|starting)$/);
    expect(res.body.providers).toEqual([
      expect.objectContaining({ name: 'openai', backend: 'openai' }),
      expect.objectContaining({ name: 'fakecloud', backend: 'openai-compatible' }),
    ]);
    expect(res.body.routing.prefixes).toEqual([
      { prefix: 'fakecloud/', provider: 'fakecloud', strip: true },
      { prefix: 'openai/', provider: 'openai', strip: true },
      { prefix: 'cloud/', provider: 'fakecloud', strip: true },
      { prefix: 'keep/', provider: 'fakecloud', strip: false },
      { prefix: 'mlx/', provider: 'mlx', strip: true },
    ]);
    expect(res.body.routing.rules[0]).toEqual({
      match: '^gpt-(4o.*)$',
      provider: 'openai',
      upstreamModel: 'upstream-$1',
      fallbacks: [],
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(String(openai.port));
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain('FAKE_OPENAI_KEY');
  });
});
