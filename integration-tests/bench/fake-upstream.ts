// A fast fake OpenAI-compatible upstream for the benchmark: a fixed chat completion as JSON, or
// an SSE stream of many small events, each stamped with the time it was written so the load
// client can tell whether any event was held back on the way. Node built-ins only; run it with
// fake-upstream-main.js. The stream is shaped by the request body:
// `bench_events` (default 200) events, `bench_gap_ms` (default 0) between two of them
// (0: all written at once, one write per event), then `data: [DONE]`.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochMs } from '../standin/epoch-clock.js';

const COMPLETION = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
});
const DONE = 'data: [DONE]\n\n';

/** What a stream request asks for, read from its body. */
export interface StreamShape {
  events: number;
  gapMs: number;
  /** Real OpenAI chunks carrying the stamp as text (`t=<epoch ms>`), for translated paths. */
  chunks: boolean;
  /**
   * Full OpenAI chunks as an OpenAI-compatible server writes them (`bench_chunks`), naming this
   * model: what a pass-through stream relays in real use.
   */
  fullChunksOf?: string;
}

/** One stamped event, about 40 bytes: `data: {"i":7,"t":1712345678901.123}`. */
export function stampedEvent(index: number): string {
  return `data: {"i":${index},"t":${epochMs().toFixed(3)}}\n\n`;
}

/** The same stamp inside a real OpenAI chunk, so that a translating gateway passes it on as text. */
export function stampedChunk(): string {
  return `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"t=${epochMs().toFixed(3)} "}}]}\n\n`;
}

/** A chunk as OpenAI-compatible servers write it, the stamp as its content (~190 bytes). */
export function fullStampedChunk(model: string): string {
  return `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":${model},"choices":[{"index":0,"delta":{"content":"t=${epochMs().toFixed(3)} "},"finish_reason":null}]}\n\n`;
}

const LAST_CHUNK =
  'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';

/** The last user message's text (a translated request carries the stream shape there). */
function lastText(body: Record<string, unknown>): string {
  const messages = body['messages'];
  const last = Array.isArray(messages)
    ? (messages[messages.length - 1] as { content?: unknown })
    : undefined;
  return typeof last?.content === 'string' ? last.content : '';
}

function shapeOf(body: Record<string, unknown>): StreamShape {
  const text = lastText(body);
  const fromText = (name: string): number | undefined => {
    const m = new RegExp(`\\b${name}=(\\d+)`).exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const events = body['bench_events'] ?? fromText('events');
  const gapMs = body['bench_gap_ms'] ?? fromText('gap');
  const shape: StreamShape = {
    events: typeof events === 'number' && events > 0 ? Math.floor(events) : 200,
    gapMs: typeof gapMs === 'number' && gapMs > 0 ? gapMs : 0,
    chunks: /\bchunks\b/.test(text),
  };
  if (body['bench_chunks'] === true) {
    shape.fullChunksOf = JSON.stringify(typeof body['model'] === 'string' ? body['model'] : '');
  }
  return shape;
}

function stream(res: ServerResponse, shape: StreamShape): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  const { fullChunksOf } = shape;
  const event = (i: number): string =>
    fullChunksOf !== undefined
      ? fullStampedChunk(fullChunksOf)
      : shape.chunks
        ? stampedChunk()
        : stampedEvent(i);
  const end = shape.chunks || fullChunksOf !== undefined ? LAST_CHUNK + DONE : DONE;
  if (shape.gapMs === 0) {
    for (let i = 0; i < shape.events; i++) res.write(event(i));
    res.end(end);
    return;
  }
  let i = 0;
  const timer = setInterval(() => {
    res.write(event(i++));
    if (i < shape.events) return;
    clearInterval(timer);
    res.end(end);
  }, shape.gapMs);
  res.on('close', () => clearInterval(timer));
}

function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
  if (req.method === 'GET' && (req.url === '/health' || req.url === '/v1/models')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/health' ? '{"status":"ok"}' : '{"object":"list","data":[]}');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"detail":"Not Found"}');
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"invalid JSON","type":"invalid_request_error"}}');
    return;
  }
  if (body['stream'] === true) {
    stream(res, shapeOf(body));
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(COMPLETION),
  });
  res.end(COMPLETION);
}

/** Starts the fake upstream; resolves with its base URL. */
export function startFakeUpstream(port: number, host: string): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      resolve(`http://${host}:${(server.address() as AddressInfo).port}`);
    });
  });
}
