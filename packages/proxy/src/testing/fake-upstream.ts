import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake upstream received, with its response for the test to write. */
export interface UpstreamExchange {
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  json: Record<string, unknown>;
  /** Resolves when the connection closed before the response was finished (an abort). */
  aborted: Promise<void>;
}

type Handler = (exchange: UpstreamExchange) => void;

/**
 * An OpenAI-compatible upstream on 127.0.0.1 with an OS-assigned port. Either answers with a
 * handler, or queues each request for the test to answer by hand (`nextExchange`), which is
 * how streaming tests write event N+1 only after the client has seen event N.
 */
export class FakeUpstream {
  readonly exchanges: UpstreamExchange[] = [];
  /** TCP connections accepted so far. */
  connections = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly waiting: Array<(exchange: UpstreamExchange) => void> = [];
  private readonly queued: UpstreamExchange[] = [];
  private handler: Handler | undefined;

  private constructor(handler?: Handler) {
    this.handler = handler;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body) as Record<string, unknown>;
        } catch {
          // not JSON: the test looks at `body`
        }
        const aborted = new Promise<void>((resolve) => {
          res.on('close', () => {
            if (!res.writableFinished) resolve();
          });
        });
        const exchange: UpstreamExchange = { req, res, body, json, aborted };
        this.exchanges.push(exchange);
        if (this.handler) {
          this.handler(exchange);
          return;
        }
        const waiter = this.waiting.shift();
        if (waiter) waiter(exchange);
        else this.queued.push(exchange);
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(handler?: Handler): Promise<FakeUpstream> {
    const upstream = new FakeUpstream(handler);
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    return upstream;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL without a version segment (how the supervisor reports local models). */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setHandler(handler: Handler | undefined): void {
    this.handler = handler;
  }

  /** The next request, for the test to answer. */
  nextExchange(): Promise<UpstreamExchange> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers a chat completion (non-streamed) with `content`. */
export function jsonCompletion(exchange: UpstreamExchange, content = 'hello'): void {
  const body = JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: exchange.json['model'],
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });
  exchange.res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  exchange.res.end(body);
}

/** An SSE event carrying a chat completion chunk with `content`. */
export function chunkEvent(content: string): string {
  return `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
}

export function startSse(exchange: UpstreamExchange): void {
  exchange.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  exchange.res.flushHeaders();
}
