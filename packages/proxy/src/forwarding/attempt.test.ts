import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Backend, BackendRequest, PreparedRequest } from '../backends/backend.js';
import { chatCompletionsEndpoint } from '../api/openai-endpoints.js';
import { SseResponse } from '../streaming/sse-response.js';
import { ManualClock } from '../testing/manual-clock.js';
import { remoteModel, roomyTimeouts } from '../testing/test-config.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import { Attempt } from './attempt.js';
import type { AttemptHost } from './attempt.js';
import type { ResponseTransform } from '../backends/transforms/response-transform.js';

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

function harness(stream: boolean, idleMs = 1_000, transform?: ResponseTransform) {
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
  if (transform !== undefined) prepared.transform = transform;
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
  return { clock, res, call, result, upstream, host, attempt };
}

/**
 * The end of one turn of the event loop. On a socket, each read is its own turn: the body
 * chunks of one read reach the sink together at its end (see Attempt#onData).
 */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Attempt backpressure', () => {
  it('stops reading the upstream while the client is not writable, and resumes on drain', async () => {
    const { res, call, upstream, result } = harness(true);
    const up = upstream();
    up.onConnected();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('data: 1\n\n'));
    await turn();
    expect(call.paused).toBe(false);
    res.accepting = false;
    up.onData(Buffer.from('data: 2\n\n'));
    await turn();
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

describe('Attempt response sinks', () => {
  /** Each chunk becomes one event; a chunk 'fail' makes the transform fail with its own event. */
  const eventPerChunk: ResponseTransform = {
    body: (upstream) => upstream.toString(),
    stream: () => ({
      push: (chunk) =>
        chunk.toString() === 'fail'
          ? { frames: 'event: error\n\n', failed: new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'x') }
          : { frames: `data: ${chunk.toString()}\n\n`, done: chunk.toString() === 'last' },
      end: () => ({ frames: '' }),
    }),
  };

  it('translates the stream with the transform the prepared request carries', async () => {
    const { res, upstream, result, call } = harness(true, 1_000, eventPerChunk);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('one'));
    await turn();
    up.onData(Buffer.from('last'));
    await turn();
    // The transform said the stream is complete: anything after it is not the client's.
    up.onData(Buffer.from('late'));
    await expect(result).resolves.toEqual({ ok: true });
    expect(res.written.join('')).toBe('data: one\n\ndata: last\n\n');
    expect(call.aborted).toBeUndefined();
  });

  it('reports a translated stream’s own error event as delivered', async () => {
    const { res, upstream, result } = harness(true, 1_000, eventPerChunk);
    const up = upstream();
    up.onResponseStart(200, {});
    up.onData(Buffer.from('fail'));
    const outcome = await result;
    expect(outcome).toMatchObject({ ok: false, delivered: true });
    expect(res.written.join('')).toBe('event: error\n\n');
    expect(res.writableEnded).toBe(true);
  });

  it('names the upstream status, not the cut, when an error body breaks off', async () => {
    const { res, upstream, result } = harness(true);
    const up = upstream();
    up.onResponseStart(401, { 'content-type': 'application/json' });
    up.onData(Buffer.from('{"error":'));
    up.onError(new Error('socket hang up'));
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe(ErrorCodes.UPSTREAM_AUTH);
    expect(res.headersSent).toBe(false);
  });

  it('reports a relayed body that breaks off as an interrupted response', async () => {
    const { res, upstream, result } = harness(false);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'application/json' });
    up.onData(Buffer.from('{"id":'));
    up.onError(new Error('socket hang up'));
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe(ErrorCodes.STREAM_INTERRUPTED);
    expect(res.written.join('')).toBe('{"id":');
  });
});

describe('Attempt body chunks', () => {
  it('hands the chunks of one read to the sink together: one client write for all their events', async () => {
    const { res, upstream, result } = harness(true);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    // A fast upstream's read: every event is its own HTTP chunk, all parsed in one go.
    for (const n of [1, 2, 3]) up.onData(Buffer.from(`data: ${n}\n\n`));
    expect(res.written).toEqual([]);
    await turn();
    expect(res.written).toEqual(['data: 1\n\ndata: 2\n\ndata: 3\n\n']);
    up.onData(Buffer.from('data: 4\n\n'));
    await turn();
    expect(res.written).toEqual(['data: 1\n\ndata: 2\n\ndata: 3\n\n', 'data: 4\n\n']);
    up.onData(Buffer.from('data: [DONE]\n\n'));
    up.onEnd();
    await expect(result).resolves.toEqual({ ok: true });
    expect(res.written.join('')).toBe(
      'data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: [DONE]\n\n',
    );
  });

  it('relays what came in the same read before the end of the body, before ending', async () => {
    const { res, upstream, result } = harness(true);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('data: 1\n\n'));
    up.onData(Buffer.from('data: [DONE]\n\n'));
    up.onEnd();
    await expect(result).resolves.toEqual({ ok: true });
    expect(res.written).toEqual(['data: 1\n\ndata: [DONE]\n\n']);
    expect(res.writableEnded).toBe(true);
  });

  it('relays what came in the same read before a break, and counts it as sent content', async () => {
    const { res, upstream, result, host } = harness(true);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('data: 1\n\n'));
    up.onData(Buffer.from('data: 2\n\n'));
    up.onError(new Error('socket hang up'));
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe(ErrorCodes.STREAM_INTERRUPTED);
    // Content reached the client: the exchange must not fail over to another target.
    expect(host.contentSent).toBe(true);
    expect(res.written.join('')).toBe('data: 1\n\ndata: 2\n\n');
  });

  it('relays a body that is not a stream as each chunk comes, without waiting for the tick', async () => {
    const { res, upstream, result } = harness(false);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'application/json' });
    up.onData(Buffer.from('{"id":'));
    expect(res.written).toEqual(['{"id":']);
    up.onData(Buffer.from('1}'));
    up.onEnd();
    await expect(result).resolves.toEqual({ ok: true });
    expect(res.written.join('')).toBe('{"id":1}');
  });

  it('writes nothing more once the attempt ended in the middle of a read (client gone)', async () => {
    const { res, upstream, result, attempt, call } = harness(true);
    const up = upstream();
    up.onResponseStart(200, { 'content-type': 'text/event-stream' });
    up.onData(Buffer.from('data: 1\n\n'));
    attempt.cancel(
      new GatewayError(ErrorCodes.STREAM_INTERRUPTED, 'the client closed the connection'),
    );
    up.onData(Buffer.from('data: 2\n\n'));
    await turn();
    expect((await result).ok).toBe(false);
    expect(call.aborted).toBeDefined();
    expect(res.written).toEqual([]);
  });
});
