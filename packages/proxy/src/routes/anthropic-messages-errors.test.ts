import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import {
  cleanups,
  proxyFor,
  question,
  upstream,
  runCleanups,
} from '../testing/anthropic-route-fixture.js';

afterEach(runCleanups);

describe('Anthropic-format errors on /v1/messages', () => {
  let t: TestProxy;
  const setup = async (): Promise<TestProxy> => {
    const fake = await upstream();
    t = await proxyFor([remoteModel('qwen-7b', `${fake.origin}/v1`, { aliases: ['qwen'] })]);
    return t;
  };

  it('answers an unknown model with 404 not_found_error and suggestions', async () => {
    await setup();
    const res = await send(t.url, '/v1/messages', { body: { ...question, model: 'qwen-8b' } });
    expect(res.status).toBe(404);
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: expect.stringMatching(
          /^model 'qwen-8b' is not configured; did you mean 'qwen-7b'/,
        ),
      },
      request_id: res.headers['request-id'],
    });
  });

  it.each([
    [
      'missing max_tokens',
      { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] },
      'max_tokens',
    ],
    ['max_tokens not an integer', { model: 'qwen', max_tokens: 1.5, messages: [] }, 'max_tokens'],
    ['messages not an array', { model: 'qwen', max_tokens: 5, messages: 'hi' }, 'messages'],
    ['no messages', { model: 'qwen', max_tokens: 5, messages: [] }, 'messages'],
    [
      'a bad role',
      { model: 'qwen', max_tokens: 5, messages: [{ role: 'developer', content: 'x' }] },
      'messages[0].role',
    ],
    [
      'a tool_use block without input',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f' }] },
        ],
      },
      'messages[1].content[0].input',
    ],
    [
      'a system block that is not text',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        system: [{ type: 'image' }],
      },
      'system[0].type',
    ],
    [
      'a tool without input_schema',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'f' }],
      },
      'tools[0].input_schema',
    ],
    [
      'a tool_choice naming no tool',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        tool_choice: { type: 'tool' },
      },
      'tool_choice.name',
    ],
    [
      'stream not a boolean',
      { model: 'qwen', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stream: 'yes' },
      'stream',
    ],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    await setup();
    const res = await send(t.url, '/v1/messages', { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(`'${field}'`) },
    });
  });

  it('refuses a body over the limit with 413 request_too_large', async () => {
    const fake = await upstream();
    const small = await startTestProxy({
      models: [remoteModel('qwen', `${fake.origin}/v1`)],
      proxy: { bodyLimitBytes: 1024 },
    });
    cleanups.push(() => small.close());
    const res = await send(small.url, '/v1/messages', {
      body: { ...question, messages: [{ role: 'user', content: 'x'.repeat(2048) }] },
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(fake.exchanges).toHaveLength(0);
  });

  it('answers malformed JSON, a missing model and a wrong method in the Anthropic format', async () => {
    await setup();
    const bad = await send(t.url, '/v1/messages', { body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noModel = await send(t.url, '/v1/messages', { body: { max_tokens: 5, messages: [] } });
    expect(noModel.status).toBe(400);
    expect(noModel.json).toMatchObject({
      error: { message: expect.stringContaining("no 'model'") },
    });
    const get = await send(t.url, '/v1/messages', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect(get.headers['request-id']).toBe(get.headers['x-request-id']);
    expect(get.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const unknown = await send(t.url, '/v1/messages/batches', { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['request-id']).toBe(unknown.headers['x-request-id']);
    expect(unknown.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    // The OpenAI routes keep their own format.
    const openai = await send(t.url, '/v1/chat/completions', { body: '{"model":' });
    expect(openai.json).toMatchObject({ error: { code: 'invalid_json' } });
    expect(openai.headers['request-id']).toBeUndefined();
  });
});
