// The stand-in's chat completions, run in-process: the OpenAI shapes the gateway relies on and reasoning.
import { describe, expect, it } from 'vitest';
import {
  chunksOf,
  contentOf,
  post,
  readSse,
  start,
  userSays,
  useInProcessStandin,
} from '../support/in-process-standin.js';

useInProcessStandin();

describe('stand-in server: chat completions', () => {
  it('answers a non-streamed chat with the echoed words, usage and the real null fields', async () => {
    const res = await post('/v1/chat/completions', userSays('hello brave new world'), {
      'x-standin-tokens': '6',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'client-model',
      usage: { prompt_tokens: 6, completion_tokens: 6, total_tokens: 12 },
    });
    expect(body['id']).toMatch(/^chatcmpl_\d+$/);
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'hello brave new world hello brave',
        reasoning_content: null,
        refusal: null,
        tool_calls: null,
        tool_call_id: null,
      },
      finish_reason: 'stop',
    });
  });

  it('streams a role chunk, one token per chunk, a final chunk with usage, then [DONE]', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('one two three', { stream: true, stream_options: { include_usage: true } }),
      { 'x-standin-tokens': '5' },
    );
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data, ended } = await readSse(res);
    expect(ended).toBe(true);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: null,
      tool_calls: null,
    });
    const tokens = chunks.slice(1, -1).map((chunk) => chunk.choices[0]?.delta.content);
    expect(tokens).toEqual(['one', ' two', ' three', ' one', ' two']);
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(
      true,
    );
  });

  it('caps the tokens at max_tokens and finishes with "length"', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('a b c d e', { stream: true, max_tokens: 2 }),
    );
    const chunks = chunksOf((await readSse(res)).data);
    expect(contentOf(chunks)).toEqual(['a', ' b']);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  it('uses --max-tokens as the cap when the request sets none', async () => {
    const capped = await start({ defaultMaxTokens: 3 });
    const res = await post('/v1/chat/completions', userSays('x y z w v'), {}, undefined, capped);
    const body = (await res.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({
      message: { content: 'x y z' },
      finish_reason: 'length',
    });
  });

  it('streams reasoning_content deltas before the content when reasoning is on', async () => {
    const res = await post('/v1/chat/completions', userSays('hi there', { stream: true }), {
      'x-standin-reasoning': '1',
      'x-standin-tokens': '2',
    });
    const chunks = chunksOf((await readSse(res)).data);
    const kinds = chunks
      .slice(1, -1)
      .map((chunk) =>
        chunk.choices[0]?.delta.reasoning_content !== null ? 'reasoning' : 'content',
      );
    expect(kinds).toEqual([
      'reasoning',
      'reasoning',
      'reasoning',
      'reasoning',
      'reasoning',
      'content',
      'content',
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content ?? '').join('')).toBe(
      'Let me think about this.',
    );
    const plain = await post('/v1/chat/completions', userSays('hi there'), {
      'x-standin-reasoning': '1',
      'x-standin-tokens': '2',
    });
    const message = ((await plain.json()) as { choices: { message: Record<string, unknown> }[] })
      .choices[0]?.message;
    expect(message).toMatchObject({
      reasoning_content: 'Let me think about this.',
      content: 'hi there',
    });
  });

  it('refuses chat on an embeddings model like the real server', async () => {
    const embeddings = await start({ modelType: 'embeddings' });
    const res = await post('/v1/chat/completions', userSays('hi'), {}, undefined, embeddings);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'unsupported_request',
    );
  });
});
