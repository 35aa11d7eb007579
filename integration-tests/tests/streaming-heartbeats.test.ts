import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { requestLogLines } from '../support/request-log.js';
import { streamChat, streamedText } from '../support/sse-client.js';
import { modelPort, startStreamingGateway } from '../support/streaming-gateway.js';
import { standinModel } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

// The scale of the real case (15 s heartbeat, a client giving up after 30 s of silence, a model
// thinking 60 s before its first token, 5 minutes in all), divided so the test runs in ~15 s.
const HEARTBEAT_MS = 200;
const CLIENT_IDLE_TIMEOUT_MS = 1_000;
const SILENT_START_MS = 3_000;
const TOKEN_GAP_MS = 1_500;
const TOKENS = 9;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const chat = {
  model: 'thinker',
  messages: [{ role: 'user', content: 'patience is a virtue' }],
  stream: true,
};

describe('streams that go quiet for longer than the client waits', () => {
  it(
    `a long generation (scaled: ${HEARTBEAT_MS} ms heartbeat, ${CLIENT_IDLE_TIMEOUT_MS} ms client idle timeout, ` +
      `${SILENT_START_MS} ms silent start, ~15 s in all, for 15 s / 30 s / 60 s / 5 min) completes ` +
      'through the gateway thanks to heartbeats, and times out when the client talks to the model directly',
    async () => {
      const g = await startStreamingGateway({
        proxy: `  heartbeat: ${HEARTBEAT_MS}ms`,
        models: standinModel('thinker', {
          MLX_STANDIN_FIRST_TOKEN_MS: SILENT_START_MS,
          MLX_STANDIN_TOKEN_MS: TOKEN_GAP_MS,
          MLX_STANDIN_TOKENS: TOKENS,
        }),
      });
      gateway = g;

      const through = await streamChat(`${g.url}/v1/chat/completions`, chat, {
        bodyTimeoutMs: CLIENT_IDLE_TIMEOUT_MS,
      });
      expect(through.error).toBeUndefined();
      expect(through.status).toBe(200);
      expect(through.events.at(-1)).toBe('[DONE]');
      expect(streamedText(through.events).split(' ')).toHaveLength(TOKENS);
      expect(through.events.some((e) => e.includes('"error"'))).toBe(false);
      // Every silence of the model (3 s, then 1.5 s between tokens) was filled with heartbeats.
      const silentMs = SILENT_START_MS + (TOKENS - 1) * TOKEN_GAP_MS;
      expect(through.comments).toBeGreaterThanOrEqual(Math.floor(silentMs / HEARTBEAT_MS / 2));
      expect(through.longestGapMs).toBeLessThan(CLIENT_IDLE_TIMEOUT_MS);
      const reqId = through.headers['x-request-id'];
      const line = await waitUntil(
        () => requestLogLines(g.proxy!.lines).find((l) => l.reqId === reqId),
        'the request log line',
      );
      expect(line).toMatchObject({ status: 200, stream: true, complete: true });

      // The same client against the model server itself: nothing fills the silence.
      const port = await modelPort(g, 'thinker');
      const direct = await streamChat(`http://127.0.0.1:${port}/v1/chat/completions`, chat, {
        bodyTimeoutMs: CLIENT_IDLE_TIMEOUT_MS,
      });
      expect(direct.status).toBe(200);
      expect(direct.events).toEqual([]);
      expect(direct.error?.code).toBe('UND_ERR_BODY_TIMEOUT');
    },
  );
});
