import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Backend, BackendRequest, PreparedRequest } from '../backends/backend.js';
import { chatCompletionsEndpoint } from '../routes/openai-endpoints.js';
import { SseResponse } from '../streaming/sse-response.js';
import { ManualClock } from '../testing/manual-clock.js';
import { remoteModel, roomyTimeouts } from '../testing/test-config.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import { Attempt } from './attempt.js';
import type { AttemptHost } from './attempt.js';

/** A client response whose socket buffer is "full" whenever the test says so. */
class SlowClientResponse extends EventEmitter {
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableNeedDrain = false;
  statusCode = 200;
  accepting = true;
  readonly written: string[] = [];

  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {}

  write(chunk: Buffer | string): boolean {
    this.written.push(chunk.toString());
    this.writableNeedDrain = !this.accepting;
    return this.accepting;
  }

  end(chunk?: Buffer | string): this {
    if (chunk !== undefined) this.written.push(chunk.toString());
    this.writableEnded = true;
    return this;
  }

  drain(): void {
    this.accepting = true;
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}

class FakeCall {
  paused = false;
  pauses = 0;
  resumes = 0;
  aborted: Error | undefined;
  pause(): void {
    this.paused = true;
    this.pauses += 1;
  }
  resume(): void {
    this.paused = false;
    this.resumes += 1;
  }
  abort(reason: Error): void {
    this.aborted = reason;
  }
}

function harness(stream: boolean, idleMs = 1_000) {
  const clock = new ManualClock();
  const res = new SlowClientResponse();
  const call = new FakeCall();
  let listener: UpstreamListener | undefined;
  const target = {
    name: 'cloud',
    model: remoteModel('cloud', 'http://127.0.0.1:1/v1', {
      timeouts: { ...roomyTimeouts, idleMs },
    }),
    upstreamModel: 'cloud',
  };
  const prepared: PreparedRequest = {
    upstream: {
      origin: 'http://127.0.0.1:1',
      path: '/v1/chat/completions',
      headers: {},
      body: '{}',
    },
    identity: { model: 'cloud', hosts: [] },
    release: () => {},
  };
  const backend: Backend = {
    prepare: () => prepared,
    send: (_prepared, l) => {
      listener = l;
      return call as unknown as UpstreamCall;
    },
    health: () => ({ state: 'remote' }),
  };
  const outgoing = res as unknown as ServerResponse;
  const host: AttemptHost = {
    res: outgoing,
    reqId: 'r1',
    sse: stream ? new SseResponse(outgoing, 'r1', 15_000, clock) : undefined,
    clock,
    heartbeatMs: 15_000,
    contentSent: false,
    bodyBytes: 0,
    firstByte: () => {},
  };
  const req: BackendRequest = {
    target,
    endpoint: chatCompletionsEndpoint,
    request: { model: 'cloud', stream, body: {}, usesTools: false, usesImages: false },
    rawBody: Buffer.from('{}'),
    clientHeaders: {},
    reqId: 'r1',
  };
  const attempt = new Attempt(host, backend, req);
  const result = attempt.run();
  const upstream = (): UpstreamListener => {
    if (!listener) throw new Error('not sent');
    return listener;
  };
  return { clock, res, call, result, upstream, host };
}

describe('Attempt backpressure', () => {
  it('stops reading the upstream while the client is not writable, and resumes on drain', async () => {
    const { res, call, upstream, result } = harness(true);
    const up = upstream();
    up.onConnected();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('data: 1\n\n'));
    expect(call.paused).toBe(false);
    res.accepting = false;
    up.onData(Buffer.from('data: 2\n\n'));
    expect(call.paused).toBe(true);
    expect(call.pauses).toBe(1);
    res.drain();
    expect(call.paused).toBe(false);
    expect(call.resumes).toBe(1);
    up.onData(Buffer.from('data: [DONE]\n\n'));
    up.onEnd();
    await expect(result).resolves.toEqual({ ok: true });
    expect(res.written.join('')).toBe('data: 1\n\ndata: 2\n\ndata: [DONE]\n\n');
  });

  it('does not count time spent waiting for a slow client as upstream idleness', async () => {
    const { res, call, upstream, result, clock } = harness(false, 1_000);
    // Each upstream or client event is its own turn of the event loop, as on a socket: the
    // attempt arms its timeouts at the end of the turn (see PhaseDeadlines).
    const turn = (): Promise<void> => Promise.resolve();
    const up = upstream();
    up.onConnected();
    up.onResponseStart(200, { 'content-type': 'application/json' });
    await turn();
    res.accepting = false;
    up.onData(Buffer.from('{"part":1'));
    await turn();
    expect(call.paused).toBe(true);
    clock.advance(10_000);
    expect(call.aborted).toBeUndefined();
    res.drain();
    await turn();
    clock.advance(999);
    expect(call.aborted).toBeUndefined();
    clock.advance(1);
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    expect(call.aborted).toBeDefined();
    if (!outcome.ok) expect(outcome.error.code).toBe('UPSTREAM_TIMEOUT');
  });
});
