// The stand-in's stream misbehaviour and its cancellation of abandoned requests, run in-process.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  access,
  chunksOf,
  contentOf,
  nextSettled,
  post,
  readSse,
  server,
  stats,
  userSays,
  useInProcessStandin,
} from '../support/in-process-standin.js';

useInProcessStandin();

describe('stand-in server: stream misbehaviour', () => {
  it('stall-after:N sends N tokens then holds the connection open until the client leaves', async () => {
    const controller = new AbortController();
    const settled = nextSettled();
    const res = await post(
      '/v1/chat/completions',
      userSays('a b c d', { stream: true }),
      {
        'x-standin-stream': 'stall-after:2',
        'x-standin-tokens': '50',
      },
      controller.signal,
    );
    const read = await readSse(res, (data) => contentOf(chunksOf(data)).length >= 2);
    expect(contentOf(chunksOf(read.data))).toEqual(['a', ' b']);
    // With no token delay the other 48 tokens would have been written long before this answer.
    expect(await stats()).toMatchObject({ requests: 1, active: 1, completed: 0 });
    controller.abort();
    const [event] = await settled;
    expect(event).toMatchObject({ outcome: 'aborted', tokens: 2, path: '/v1/chat/completions' });
    expect(await stats()).toMatchObject({ requests: 1, active: 0, aborted: 1 });
  });

  it('break-after:N destroys the connection after N tokens, without [DONE]', async () => {
    const settled = nextSettled();
    const res = await post('/v1/chat/completions', userSays('a b c d', { stream: true }), {
      'x-standin-stream': 'break-after:3',
    });
    const read = await readSse(res);
    expect(read.ended).toBe(false);
    expect(read.error).toBeDefined();
    expect(contentOf(chunksOf(read.data))).toEqual(['a', ' b', ' c']);
    expect(read.data).not.toContain('[DONE]');
    expect((await settled)[0]).toMatchObject({ outcome: 'broken', tokens: 3 });
    expect(await stats()).toMatchObject({ broken: 1, aborted: 0, active: 0 });
  });

  it('error-after:N sends an in-band error chunk, then the final chunk and [DONE]', async () => {
    const res = await post('/v1/chat/completions', userSays('a b c d', { stream: true }), {
      'x-standin-stream': 'error-after:1',
    });
    expect(res.status).toBe(200);
    const { data, ended } = await readSse(res);
    expect(ended).toBe(true);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    expect(contentOf(chunks)).toEqual(['a']);
    const error = chunks.find((chunk) => chunk.error !== undefined);
    expect(error?.error).toMatchObject({ type: 'server_error', code: '500' });
    expect(error?.error?.message).toContain('after 1 tokens');
    expect(chunks.indexOf(error!)).toBe(chunks.length - 2);
  });

  it('error-after:N on a non-streamed request answers 500 with an OpenAI error body', async () => {
    const res = await post('/v1/chat/completions', userSays('a b'), {
      'x-standin-stream': 'error-after:1',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { type: 'server_error', code: '500' } });
  });
});

describe('stand-in server: cancellation', () => {
  it('stops a stream at once when the client disconnects and counts it as aborted', async () => {
    const controller = new AbortController();
    const settled = nextSettled();
    const res = await post(
      '/v1/chat/completions',
      userSays('tick tock', { stream: true }),
      {
        'x-standin-token-ms': '20',
        'x-standin-tokens': '500',
      },
      controller.signal,
    );
    await readSse(res, (data) => contentOf(chunksOf(data)).length >= 3);
    controller.abort();
    const [event] = await settled;
    expect(event?.outcome).toBe('aborted');
    expect(event?.tokens).toBeLessThan(20);
    expect(await stats()).toMatchObject({ requests: 1, completed: 0, aborted: 1, active: 0 });
    expect(access.at(-2)).toMatch(/"POST \/v1\/chat\/completions HTTP\/1\.1" 200 OK$/);
  });

  it('cancels a non-streamed request waiting for its first token, logged as 499', async () => {
    const controller = new AbortController();
    const begun = once(server.events, 'begun');
    const settled = nextSettled();
    const pending = post(
      '/v1/chat/completions',
      userSays('slow'),
      {
        'x-standin-first-token-ms': '600000',
      },
      controller.signal,
    ).catch((error: unknown) => error);
    await begun;
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect((await settled)[0]).toMatchObject({ outcome: 'aborted', tokens: 0 });
    expect(access.at(-1)).toMatch(
      /"POST \/v1\/chat\/completions HTTP\/1\.1" 499 Client Closed Request$/,
    );
  });

  it('counts concurrent requests and the peak, and close() drops stalled streams', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const responses = await Promise.all(
      controllers.map((controller) =>
        post(
          '/v1/chat/completions',
          userSays('x', { stream: true }),
          { 'x-standin-stream': 'stall-after:0' },
          controller.signal,
        ),
      ),
    );
    expect(await stats()).toMatchObject({ requests: 2, active: 2, peakActive: 2 });
    const settled = nextSettled(2);
    await server.close();
    expect((await settled).map((event) => event.outcome)).toEqual(['aborted', 'aborted']);
    expect(server.stats()).toMatchObject({ active: 0, aborted: 2 });
    await Promise.all(responses.map((res) => readSse(res)));
  });
});
