import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { standinModel } from '../support/processes.js';
import { requestLogLines } from '../support/request-log.js';
import { streamChat, streamedText } from '../support/sse-client.js';
import { standinStats } from '../support/standin-stats.js';
import { modelPort, startStreamingGateway } from '../support/streaming-gateway.js';
import { waitUntil } from '../support/wait.js';

let gateway: (TestGateway & { url: string }) | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

async function start(): Promise<TestGateway & { url: string }> {
  gateway = await startStreamingGateway({
    models: [
      standinModel('breaks', { MLX_STANDIN_STREAM: 'break-after:3', MLX_STANDIN_TOKEN_MS: 5 }),
      standinModel(
        'stalls',
        { MLX_STANDIN_STREAM: 'stall-after:3', MLX_STANDIN_TOKEN_MS: 5 },
        '    timeouts: { idle: 500ms }\n',
      ),
    ].join(''),
  });
  return gateway;
}

const chat = (model: string) => ({
  model,
  messages: [{ role: 'user', content: 'one two three four five six' }],
  stream: true,
});

interface StreamError {
  error: { message: string; type: string; param: unknown; code: string };
}

/** Content events, then one error event, then [DONE], and nothing after. */
function expectErrorEnding(events: string[]): StreamError {
  expect(events.at(-1)).toBe('[DONE]');
  const last = JSON.parse(events.at(-2) ?? '{}') as StreamError;
  expect(last.error).toBeDefined();
  expect(events.slice(0, -2).every((e) => !e.includes('"error"'))).toBe(true);
  // The three tokens the model produced before failing reached the client.
  expect(streamedText(events.slice(0, -2))).toBe('one two three');
  return last;
}

async function logLineOf(g: TestGateway, reqId: unknown) {
  return waitUntil(
    () => requestLogLines(g.proxy!.lines).find((l) => l.reqId === reqId),
    `the request log line of ${String(reqId)}`,
  );
}

describe('a stream that fails after it started', () => {
  it('an upstream that breaks off midway (break-after:3): error event, [DONE], logged complete: false', async () => {
    const g = await start();
    const res = await streamChat(`${g.url}/v1/chat/completions`, chat('breaks'));
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
    const ending = expectErrorEnding(res.events);
    expect(ending.error).toMatchObject({ type: 'server_error', code: 'stream_interrupted' });
    expect(ending.error.message).toContain("'breaks'");
    expect(await logLineOf(g, res.headers['x-request-id'])).toMatchObject({
      status: 200,
      stream: true,
      complete: false,
      error: 'STREAM_INTERRUPTED',
    });
  });

  it('an upstream that goes silent midway (stall-after:3, idle timeout 500 ms): error event, [DONE], logged complete: false, generation cancelled', async () => {
    const g = await start();
    const res = await streamChat(`${g.url}/v1/chat/completions`, chat('stalls'));
    expect(res.error).toBeUndefined();
    expect(res.status).toBe(200);
    const ending = expectErrorEnding(res.events);
    expect(ending.error.code).toBe('upstream_timeout');
    expect(ending.error.message).toMatch(/went silent for 500 ms/);
    expect(await logLineOf(g, res.headers['x-request-id'])).toMatchObject({
      status: 200,
      stream: true,
      complete: false,
      error: 'UPSTREAM_TIMEOUT',
    });
    // The proxy gave up on the stalled response and hung up: the model stopped generating.
    const port = await modelPort(g, 'stalls');
    const stats = await waitUntil(async () => {
      const s = await standinStats(port);
      return s.active === 0 ? s : undefined;
    }, 'the stand-in to have no request left');
    expect(stats).toMatchObject({ requests: 1, aborted: 1, completed: 0 });
  });
});
