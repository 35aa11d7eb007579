import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { PreparedRequest } from '../../backends/backend.js';
import { SseResponse } from '../../streaming/sse-response.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { ERROR_BODY_LIMIT } from '../../upstream/upstream-error.js';
import type {
  ResponseTransform,
  StreamStep,
} from '../../backends/transforms/response-transform.js';
import { chooseSink } from './choose-sink.js';
import { ErrorBodySink } from './error-body-sink.js';
import { RawBodySink } from './raw-body-sink.js';
import type { ClientOutput, SinkOwner } from './response-sink.js';
import { SsePassThroughSink } from './sse-pass-through-sink.js';
import { TranslatedBodySink } from './translated-body-sink.js';
import { TranslatedStreamSink } from './translated-stream-sink.js';

/** A client response that records what was written, and refuses writes while `full`. */
class RecordingResponse extends EventEmitter {
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableNeedDrain = false;
  statusCode = 200;
  headers: OutgoingHttpHeaders = {};
  full = false;
  readonly written: string[] = [];

  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    this.statusCode = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {}

  write(chunk: Buffer | string): boolean {
    this.written.push(chunk.toString());
    return !this.full;
  }

  end(chunk?: Buffer | string): this {
    if (chunk !== undefined) this.written.push(chunk.toString());
    this.writableEnded = true;
    return this;
  }

  get body(): string {
    return this.written.join('');
  }
}

/** Records how the sink ended the attempt; like an attempt, it takes the first ending only. */
class RecordingOwner implements SinkOwner {
  backpressures = 0;
  completed = false;
  failed: { error: GatewayError; delivered: boolean | undefined } | undefined;
  backpressure(): void {
    this.backpressures += 1;
  }
  complete(): void {
    if (this.failed === undefined) this.completed = true;
  }
  fail(error: GatewayError, delivered?: boolean): void {
    if (!this.completed) this.failed ??= { error, delivered };
  }
}

const who = { model: 'cloud', hosts: ['api.example.com'] };

function setup(stream: boolean) {
  const res = new RecordingResponse();
  const outgoing = res as unknown as ServerResponse;
  const sse = stream ? new SseResponse(outgoing, 'r1', 15_000, new ManualClock()) : undefined;
  const client: ClientOutput = {
    res: outgoing,
    reqId: 'r1',
    sse,
    contentSent: false,
    bodyBytes: 0,
  };
  return { res, sse, client, owner: new RecordingOwner() };
}

/** A transform that upper-cases bodies and turns each stream chunk into one event. */
function upperCase(steps: { end?: StreamStep } = {}): ResponseTransform {
  return {
    body: (upstream) => JSON.stringify({ text: upstream.toString().toUpperCase() }),
    stream: () => ({
      push: (chunk) => ({ frames: `data: ${chunk.toString().toUpperCase()}\n\n` }),
      end: () => steps.end ?? { frames: '' },
    }),
  };
}

function prepared(transform?: ResponseTransform): PreparedRequest {
  const out: PreparedRequest = {
    upstream: { origin: 'http://127.0.0.1:1', path: '/v1/chat/completions', headers: {}, body: '' },
    identity: who,
    release: () => {},
  };
  if (transform !== undefined) out.transform = transform;
  return out;
}

describe('chooseSink', () => {
  it('chooses by status, by stream and by the prepared request’s transform', () => {
    const streamed = setup(true);
    const plain = setup(false);
    const choose = (s: typeof plain, status: number, transform?: ResponseTransform) =>
      chooseSink(s.client, s.owner, status, {}, prepared(transform), 'm');
    expect(choose(streamed, 502)).toBeInstanceOf(ErrorBodySink);
    expect(choose(plain, 302)).toBeInstanceOf(ErrorBodySink);
    expect(choose(plain, 200)).toBeInstanceOf(RawBodySink);
    expect(choose(plain, 200, upperCase())).toBeInstanceOf(TranslatedBodySink);
    expect(streamed.res.headersSent).toBe(false);
    expect(choose(streamed, 200)).toBeInstanceOf(SsePassThroughSink);
    expect(choose(streamed, 200, upperCase())).toBeInstanceOf(TranslatedStreamSink);
  });

  it('commits a successful stream at once, and leaves an error status uncommitted', () => {
    const failed = setup(true);
    chooseSink(failed.client, failed.owner, 500, {}, prepared(), 'm');
    expect(failed.sse?.committed).toBe(false);
    const ok = setup(true);
    chooseSink(ok.client, ok.owner, 200, {}, prepared(), 'm');
    expect(ok.sse?.committed).toBe(true);
    expect(ok.res.headers['content-type']).toBe('text/event-stream');
  });
});

describe('ErrorBodySink', () => {
  it('writes nothing to the client and fails with the upstream’s message, sanitised', () => {
    const { res, client, owner } = setup(false);
    const sink = new ErrorBodySink(owner, 503, who);
    sink.data(Buffer.from('{"error":{"message":"overloaded at '));
    sink.data(Buffer.from('api.example.com"}}'));
    sink.end();
    expect(res.written).toEqual([]);
    expect(client.contentSent).toBe(false);
    expect(owner.failed?.error.message).toMatch(/\(HTTP 503\): overloaded at cloud$/);
    expect(owner.failed?.error.message).not.toContain('api.example.com');
    expect(owner.failed?.delivered).toBeUndefined();
  });

  it('keeps at most ERROR_BODY_LIMIT bytes, and names the status when the body breaks off', () => {
    const { owner } = setup(false);
    const sink = new ErrorBodySink(owner, 429, who);
    // Blanks, which the message loses, then the one byte that still fits.
    sink.data(Buffer.alloc(ERROR_BODY_LIMIT - 1, ' '));
    sink.data(Buffer.from('bc'));
    sink.data(Buffer.from('d'));
    const error = sink.broken();
    expect(error.code).toBe(ErrorCodes.UPSTREAM_RATE_LIMITED);
    expect(error.message).toMatch(/\(HTTP 429\): b$/);
  });
});

describe('RawBodySink', () => {
  it('relays the body with the upstream’s status, type and length, and counts the bytes', () => {
    const { res, client, owner } = setup(false);
    const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': '7' };
    const sink = new RawBodySink(client, owner, 201, headers);
    sink.data(Buffer.from('{"a":'));
    sink.data(Buffer.from('1}'));
    sink.end();
    expect(res.statusCode).toBe(201);
    expect(res.headers).toEqual({ ...headers, 'x-request-id': 'r1' });
    expect(res.body).toBe('{"a":1}');
    expect(client.bodyBytes).toBe(7);
    expect(client.contentSent).toBe(true);
    expect(owner.completed).toBe(true);
  });

  it('sends the head of an empty body on its end, and asks for backpressure on a full socket', () => {
    const empty = setup(false);
    new RawBodySink(empty.client, empty.owner, 204, {}).end();
    expect(empty.res.statusCode).toBe(204);
    expect(empty.res.headers['content-type']).toBe('application/json');
    const slow = setup(false);
    slow.res.full = true;
    new RawBodySink(slow.client, slow.owner, 200, {}).data(Buffer.from('x'));
    expect(slow.owner.backpressures).toBe(1);
  });
});

describe('SsePassThroughSink', () => {
  it('writes whole events only, and completes an unterminated last event at the end', () => {
    const { res, client, sse, owner } = setup(true);
    const sink = new SsePassThroughSink(client, sse as SseResponse, owner);
    sink.data(Buffer.from('data: 1\n\ndata: '));
    expect(res.body).toBe('data: 1\n\n');
    sink.data(Buffer.from('2'));
    expect(res.body).toBe('data: 1\n\n');
    sink.end();
    expect(res.body).toBe('data: 1\n\ndata: 2\n\n');
    expect(res.writableEnded).toBe(true);
    expect(client.contentSent).toBe(true);
    expect(owner.completed).toBe(true);
  });

  it('marks no content sent while only a partial event has arrived', () => {
    const { client, sse, owner } = setup(true);
    new SsePassThroughSink(client, sse as SseResponse, owner).data(Buffer.from('data: 1'));
    expect(client.contentSent).toBe(false);
  });
});

describe('TranslatedStreamSink', () => {
  it('writes each translated step, and ends the stream when the transform says it is done', () => {
    const { res, client, sse, owner } = setup(true);
    const done = { frames: 'data: [DONE]\n\n', done: true };
    const sink = new TranslatedStreamSink(
      client,
      sse as SseResponse,
      owner,
      upperCase({ end: done }).stream(),
      who,
    );
    sink.data(Buffer.from('hi'));
    sink.end();
    expect(res.body).toBe('data: HI\n\ndata: [DONE]\n\n');
    expect(res.writableEnded).toBe(true);
    expect(owner.completed).toBe(true);
    expect(owner.failed).toBeUndefined();
  });

  it('reports a failure the transform wrote itself as delivered', () => {
    const { res, client, sse, owner } = setup(true);
    const failed = new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'bad event');
    const end = { frames: 'event: error\ndata: {}\n\n', failed };
    const stream = upperCase({ end }).stream();
    new TranslatedStreamSink(client, sse as SseResponse, owner, stream, who).end();
    expect(res.body).toBe('event: error\ndata: {}\n\n');
    expect(owner.failed).toEqual({ error: failed, delivered: true });
  });

  it('fails as interrupted when the body ends before the transform is done', () => {
    const { client, sse, owner } = setup(true);
    const stream = upperCase().stream();
    new TranslatedStreamSink(client, sse as SseResponse, owner, stream, who).end();
    expect(owner.failed?.error.code).toBe(ErrorCodes.STREAM_INTERRUPTED);
    expect(owner.failed?.delivered).toBeUndefined();
  });
});

describe('TranslatedBodySink', () => {
  it('holds the body, then sends its translation with its own length', () => {
    const { res, client, owner } = setup(false);
    const sink = new TranslatedBodySink(client, owner, 200, upperCase(), who);
    sink.data(Buffer.from('ab'));
    sink.data(Buffer.from('c'));
    expect(res.written).toEqual([]);
    sink.end();
    expect(res.body).toBe('{"text":"ABC"}');
    expect(res.headers).toEqual({
      'content-type': 'application/json',
      'content-length': 14,
      'x-request-id': 'r1',
    });
    expect(client.bodyBytes).toBe(14);
    expect(owner.completed).toBe(true);
  });

  it('fails with the transform’s error and writes nothing when the body cannot be translated', () => {
    const { res, client, owner } = setup(false);
    const refused = new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'not a chat completion');
    const transform: ResponseTransform = {
      ...upperCase(),
      body: () => {
        throw refused;
      },
    };
    const sink = new TranslatedBodySink(client, owner, 200, transform, who);
    sink.data(Buffer.from('x'));
    sink.end();
    expect(owner.failed?.error).toBe(refused);
    expect(res.headersSent).toBe(false);
    expect(client.contentSent).toBe(false);
  });
});
