import { afterEach, describe, expect, it } from 'vitest';
import { open, send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import {
  json,
  proxyFor,
  question,
  upstream,
  runCleanups,
} from '../testing/anthropic-route-fixture.js';
import { countTokensAnthropic } from '../translate/index.js';

afterEach(runCleanups);

describe('POST /v1/messages in front of an OpenAI-compatible model', () => {
  it('translates the request, calls chat completions and answers an Anthropic message', async () => {
    const fake = await upstream();
    const t = await proxyFor([
      remoteModel('qwen', `${fake.origin}/v1`, { upstreamModel: 'qwen2.5-7b' }),
    ]);
    const { response } = open(t.url, '/v1/messages', {
      body: question,
      headers: { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
    });
    const ex = await fake.nextExchange();
    expect(ex.req.url).toBe('/v1/chat/completions');
    expect(ex.req.headers['x-api-key']).toBeUndefined();
    expect(ex.json).toEqual({
      model: 'qwen2.5-7b',
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
      max_tokens: 64,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    });
    json(ex, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 },
    });
    const res = await response;
    const chunks: Buffer[] = [];
    for await (const part of res) chunks.push(part as Buffer);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'qwen',
      content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 40,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({
      path: '/v1/messages',
      model: 'qwen',
      status: 200,
      complete: true,
    });
  });

  it('fails over to the next target before any content, translating for each', async () => {
    const broken = await upstream();
    const good = await upstream();
    broken.setHandler((ex) => json(ex, 503, { error: { message: 'busy' } }));
    good.setHandler((ex) =>
      json(ex, 200, {
        id: 'c2',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'from the fallback' },
            finish_reason: 'stop',
          },
        ],
      }),
    );
    const t = await proxyFor([
      remoteModel('qwen', `${broken.origin}/v1`, { fallbacks: ['backup'] }),
      remoteModel('backup', `${good.origin}/v1`, { upstreamModel: 'backup-model' }),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: { ...question, tools: undefined, tool_choice: undefined },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      model: 'qwen',
      content: [{ type: 'text', text: 'from the fallback' }],
      stop_reason: 'end_turn',
    });
    expect(good.exchanges[0]?.json['model']).toBe('backup-model');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ target: 'backup', attempts: 2 });
  });

  it('refuses a feature the target cannot take with a 400 naming it, and never tries a fallback', async () => {
    const primary = await upstream();
    const fallback = await upstream();
    const t = await proxyFor([
      remoteModel('qwen', `${primary.origin}/v1`, { fallbacks: ['claude'] }),
      remoteModel('claude', `${fallback.origin}/v1`, { backend: 'anthropic' }),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: {
        model: 'qwen',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              },
              { type: 'text', text: 'Summarise' },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(
          /^model 'qwen' \(backend openai-compatible\) cannot take this request: document blocks \(messages\[0\]\.content\[0\]\)/,
        ),
      },
      request_id: res.headers['request-id'],
    });
    expect(primary.exchanges).toHaveLength(0);
    expect(fallback.exchanges).toHaveLength(0);
  });

  it('skips a fallback that cannot take the request and reports the primary failure', async () => {
    const primary = await upstream();
    const fallback = await upstream();
    primary.setHandler((ex) => json(ex, 500, { error: { message: 'crashed' } }));
    const t = await proxyFor([
      remoteModel('claude', `${primary.origin}/v1`, { backend: 'anthropic', fallbacks: ['qwen'] }),
      remoteModel('qwen', `${fallback.origin}/v1`),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: {
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'search' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'tool', name: 'web_search' },
      },
    });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('HTTP 500') },
    });
    expect(primary.exchanges).toHaveLength(1);
    expect(fallback.exchanges).toHaveLength(0);
  });

  it('relays an upstream 4xx in the Anthropic error format with its status', async () => {
    const fake = await upstream();
    fake.setHandler((ex) =>
      json(ex, 400, {
        error: { message: 'context length exceeded', type: 'invalid_request_error' },
      }),
    );
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const res = await send(t.url, '/v1/messages', { body: question });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: "model 'qwen' rejected the request (HTTP 400): context length exceeded",
      },
      request_id: expect.any(String),
    });
  });

  it('answers count_tokens for an OpenAI-compatible model with the estimate, without calling it', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { max_tokens: _unused, ...body } = question;
    const res = await send(t.url, '/v1/messages/count_tokens', { body });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(countTokensAnthropic(question));
    expect(res.headers['request-id']).toBeTruthy();
    expect(fake.exchanges).toHaveLength(0);
  });
});
