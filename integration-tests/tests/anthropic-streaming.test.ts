import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { getJson } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

// A translated stream (Anthropic client, OpenAI-compatible local model) is forwarded event by
// event. The stand-in stalls for good after N tokens (`stall-after:N`): if the proxy held back
// anything (a buffer, a look-ahead of one chunk, waiting for the end), the client could not
// receive the N-th text delta, because the stand-in never produces token N+1.

const gateway = new TestGateway();
let url: string;

beforeAll(async () => {
  await gateway.configure(
    [
      standinModel('stall-1', {
        MLX_STANDIN_LOAD_MS: 200,
        MLX_STANDIN_TOKEN_MS: 50,
        MLX_STANDIN_STREAM: 'stall-after:1',
      }),
      standinModel('stall-3', {
        MLX_STANDIN_LOAD_MS: 200,
        MLX_STANDIN_TOKEN_MS: 50,
        MLX_STANDIN_STREAM: 'stall-after:3',
      }),
    ].join(''),
  );
  await gateway.startSupervisor();
  url = await gateway.startProxy();
});
afterAll(() => gateway.stop());

interface AnthropicEvent {
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Opens a streamed /v1/messages request and reads its events as they arrive. */
async function openStream(model: string) {
  const controller = new AbortController();
  const res = await request(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model,
      max_tokens: 20,
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five six' }],
    }),
    signal: controller.signal,
  });
  const events: AnthropicEvent[] = [];
  let ended = false;
  const parser = createParser({
    onEvent: (e) =>
      events.push({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }),
  });
  const reading = (async () => {
    try {
      for await (const chunk of res.body) parser.feed((chunk as Buffer).toString('utf8'));
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    res,
    events,
    isEnded: () => ended,
    abort: async () => {
      controller.abort();
      await reading;
    },
  };
}

const textDeltas = (events: readonly AnthropicEvent[]): string[] =>
  events
    .filter((e) => e.event === 'content_block_delta')
    .map((e) => String((e.data['delta'] as { text?: unknown }).text));

describe('translated streaming forwards each event as it is formed', () => {
  it.each([
    ['stall-1', ['one']],
    ['stall-3', ['one', ' two', ' three']],
  ])(
    '%s: the client has every delta the stand-in produced while it waits for the next token',
    async (model, expected) => {
      const stream = await openStream(model);
      expect(stream.res.statusCode).toBe(200);
      expect(stream.res.headers['content-type']).toBe('text/event-stream');
      await waitUntil(
        () => textDeltas(stream.events).length >= expected.length,
        `${expected.length} text deltas`,
        15_000,
      );
      expect(textDeltas(stream.events)).toEqual(expected);
      expect(stream.events.slice(0, 2).map((e) => e.event)).toEqual([
        'message_start',
        'content_block_start',
      ]);
      expect(stream.isEnded()).toBe(false);

      // The client leaves: the proxy aborts the upstream request, and the stand-in sees it.
      const port = (await gateway.model(model)).port;
      await stream.abort();
      await waitUntil(
        async () => {
          const stats = await getJson(`http://127.0.0.1:${port}/v1/standin/stats`);
          return stats.body.aborted >= 1 && stats.body.active === 0;
        },
        'the stand-in to count the aborted generation',
        15_000,
      );
    },
  );
});
