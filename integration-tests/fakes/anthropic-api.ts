// A fake of the Anthropic Messages API for tests: node:http on 127.0.0.1 with an OS-assigned
// port. It checks the credentials and version header the real API requires, answers
// /v1/messages (JSON or the full SSE event sequence) and /v1/messages/count_tokens, can fail
// on demand (an error status, an error event midway, a cut connection) and records every
// request it received so tests can assert what the gateway sent.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inputTokens, isObject, outputTokens, plan } from './anthropic-answer.js';
import type { Block, Json, ToolCallMode } from './anthropic-answer.js';

/** What the fake answered with, deterministic so tests can predict it. */
export { FAKE_SIGNATURE, FAKE_THINKING } from './anthropic-answer.js';
export const FAKE_CACHE_READ_TOKENS = 3;
export const FAKE_CACHE_CREATION_TOKENS = 2;
export const ANTHROPIC_VERSION = '2023-06-01';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as received. */
  raw: string;
  /** The body parsed (undefined when it is not JSON). */
  body: Record<string, unknown> | undefined;
}

/** A failure for the next request (`failNext`), in Anthropic's error format. */
export type FakeFailure =
  | { kind: 'status'; status: number; type: string; message: string }
  | { kind: 'stream-error'; afterEvents: number; type: string; message: string }
  | { kind: 'cut'; afterEvents: number };

export interface FakeAnthropicOptions {
  /** The key `x-api-key` must carry. */
  apiKey: string;
  /**
   * When offered tools are called: `auto` (default), whenever the last user turn holds no tool
   * result; `asked`, only when the user's last text asks for one (`call-tool:NAME {json}`), as an
   * agent client that always offers tools needs. Asking works in both modes.
   */
  toolCalls?: ToolCallMode;
}

function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake_error' });
  res.end(body);
}

function sse(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Splits a string into `parts` nearly equal pieces (at least one). */
function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}

/** The full event sequence of a streamed message. */
function streamEvents(
  message: Json,
  blocks: readonly Block[],
  stop: string,
  usage: Json,
): string[] {
  const events = [
    sse('message_start', {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    sse('ping', {}),
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const piece of block.text.split(/(?<= )/)) {
        events.push(
          sse('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }),
        );
      }
    } else if (block.type === 'thinking') {
      events.push(
        sse('content_block_start', {
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
      );
      for (const piece of block.thinking.split(/(?<= )/)) {
        events.push(
          sse('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }),
        );
      }
      events.push(
        sse('content_block_delta', {
          index,
          delta: { type: 'signature_delta', signature: block.signature },
        }),
      );
    } else {
      events.push(
        sse('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
      );
      for (const piece of split(JSON.stringify(block.input), 3)) {
        events.push(
          sse('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: piece },
          }),
        );
      }
    }
    events.push(sse('content_block_stop', { index }));
  });
  events.push(
    sse('message_delta', {
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: usage['output_tokens'] },
    }),
    sse('message_stop', {}),
  );
  return events;
}

export class FakeAnthropicApi {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly failures: FakeFailure[] = [];
  private messages = 0;
  private toolIds = 0;
  /** `asked`: with tool_choice `auto` (or none given) the "model" calls a tool only when asked. */
  toolCalls: ToolCallMode;

  private constructor(private readonly options: FakeAnthropicOptions) {
    this.toolCalls = options.toolCalls ?? 'auto';
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeAnthropicOptions): Promise<FakeAnthropicApi> {
    const api = new FakeAnthropicApi(options);
    api.server.listen(0, '127.0.0.1');
    await once(api.server, 'listening');
    return api;
  }

  /** Base URL including the version segment, as the gateway config's `url` wants it. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The next request fails this way (failures queue up, one per request). */
  failNext(failure: FakeFailure): void {
    this.failures.push(failure);
  }

  /** The requests to a path, in order. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: Json | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      body = isObject(parsed) ? parsed : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, raw, body });

    if (
      req.method !== 'POST' ||
      (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')
    ) {
      anthropicError(res, 404, 'not_found_error', `Not found: ${req.method} ${path}`);
      return;
    }
    if (req.headers['x-api-key'] !== this.options.apiKey) {
      anthropicError(res, 401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    if (req.headers['anthropic-version'] === undefined) {
      anthropicError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
      return;
    }
    if (
      body === undefined ||
      typeof body['model'] !== 'string' ||
      !Array.isArray(body['messages'])
    ) {
      anthropicError(res, 400, 'invalid_request_error', 'model: Field required');
      return;
    }
    if (path === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: inputTokens(body) }));
      return;
    }
    if (typeof body['max_tokens'] !== 'number') {
      anthropicError(res, 400, 'invalid_request_error', 'max_tokens: Field required');
      return;
    }
    const failure = this.failures.shift();
    if (failure?.kind === 'status') {
      anthropicError(res, failure.status, failure.type, failure.message);
      return;
    }
    this.answer(res, body, failure);
  }

  private answer(
    res: ServerResponse,
    body: Json,
    failure: Exclude<FakeFailure, { kind: 'status' }> | undefined,
  ): void {
    const { blocks, stop } = plan(body, () => `toolu_fake_${++this.toolIds}`, this.toolCalls);
    const usage = {
      input_tokens: inputTokens(body),
      output_tokens: outputTokens(blocks),
      cache_creation_input_tokens: FAKE_CACHE_CREATION_TOKENS,
      cache_read_input_tokens: FAKE_CACHE_READ_TOKENS,
    };
    const message = {
      id: `msg_fake_${++this.messages}`,
      type: 'message',
      role: 'assistant',
      model: body['model'],
    };
    if (body['stream'] !== true) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': `req_fake_${this.messages}`,
      });
      res.end(
        JSON.stringify({
          ...message,
          content: blocks,
          stop_reason: stop,
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'request-id': `req_fake_${this.messages}`,
    });
    const events = streamEvents(message, blocks, stop, usage);
    const limit =
      failure === undefined ? events.length : Math.min(failure.afterEvents, events.length);
    for (const event of events.slice(0, limit)) res.write(event);
    if (failure?.kind === 'stream-error') {
      res.end(sse('error', { error: { type: failure.type, message: failure.message } }));
    } else if (failure?.kind === 'cut') {
      // What was written is flushed, then the connection closes without the stream's end.
      res.socket?.end();
    } else {
      res.end();
    }
  }
}
