import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../testing/proxy-client.js';
import { localModel, remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';

let t: TestProxy;

beforeAll(async () => {
  t = await startTestProxy({
    models: [
      localModel('qwen-7b', { aliases: ['qwen'] }),
      remoteModel('gpt-4o', 'https://api.openai.com/v1'),
    ],
  });
});
afterAll(() => t.close());

describe('GET /v1/models/{id}', () => {
  it('answers a configured name and an alias with the OpenAI model object', async () => {
    const list = await send(t.url, '/v1/models', { method: 'GET' });
    const created = (list.json as { data: Array<{ created: number }> }).data[0]?.created;
    const res = await send(t.url, '/v1/models/qwen', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: 'qwen', object: 'model', created, owned_by: 'local' });
    const remote = await send(t.url, '/v1/models/gpt-4o', { method: 'GET' });
    expect(remote.json).toMatchObject({
      id: 'gpt-4o',
      object: 'model',
      owned_by: 'openai-compatible',
    });
  });

  it('answers an unknown id with OpenAI’s 404 and the closest names', async () => {
    const res = await send(t.url, '/v1/models/qwen-7', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: {
        message:
          "model 'qwen-7' is not configured; did you mean 'qwen-7b', 'qwen'? (see GET /v1/models)",
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('refuses another method with 405', async () => {
    const res = await send(t.url, '/v1/models/qwen', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET');
  });
});
