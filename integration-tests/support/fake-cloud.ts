import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request the fake cloud received (headers as sent by the gateway). */
export interface CloudRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * An OpenAI- and Anthropic-style cloud API on 127.0.0.1 whose behaviour is chosen by the first
 * path segment, so one server plays several upstreams:
 * - `/ok/v1/...`: answers chat (plain or SSE), completions, embeddings and Anthropic messages;
 * - `/unauthorized/v1/...`: 401 whose message quotes the key it was sent, as real APIs do;
 * - `/echo500/v1/...`: 500 whose body and headers repeat every request header (keys included);
 * - `/hang/v1/...`: never answers (until closed), for timeouts.
 */
export class FakeCloud {
  readonly requests: CloudRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ path: req.url ?? '', headers: req.headers, body });
        this.answer(req, res, body);
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<FakeCloud> {
    const cloud = new FakeCloud();
    cloud.server.listen(0, '127.0.0.1');
    await once(cloud.server, 'listening');
    return cloud;
  }

  /** Base URL of one behaviour, e.g. `url('ok')` → `http://127.0.0.1:PORT/ok/v1`. */
  url(behaviour: 'ok' | 'unauthorized' | 'echo500' | 'hang'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${behaviour}/v1`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const [, behaviour = '', , ...rest] = (req.url ?? '').split('?')[0]!.split('/');
    const operation = rest.join('/');
    if (behaviour === 'hang') return;
    if (answerFailure(behaviour, req, res)) return;
    answerOk(operation, body, res);
  }
}

/** The error answers of the `unauthorized` and `echo500` behaviours; true when it answered. */
function answerFailure(behaviour: string, req: IncomingMessage, res: ServerResponse): boolean {
  const key =
    (req.headers['x-api-key'] as string | undefined) ??
    (req.headers['authorization'] ?? '').replace(/^Bearer /, '');
  if (behaviour === 'unauthorized') {
    json(res, 401, {
      error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' },
    });
    return true;
  }
  if (behaviour === 'echo500') {
    const echoed = JSON.stringify(req.headers);
    res.setHeader('x-echo-authorization', String(req.headers['authorization'] ?? ''));
    res.setHeader('x-echo-api-key', String(req.headers['x-api-key'] ?? ''));
    json(res, 500, {
      error: {
        message: `internal error while handling key ${key}; request headers were ${echoed}`,
        authorization: req.headers['authorization'] ?? null,
      },
    });
    return true;
  }
  return false;
}

/** The success answer of `operation` (chat, plain or streamed, completions, embeddings, messages). */
function answerOk(operation: string, body: string, res: ServerResponse): void {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // an empty body
  }
  const model = typeof parsed['model'] === 'string' ? parsed['model'] : 'unknown';
  if (operation === 'embeddings') {
    json(res, 200, {
      object: 'list',
      model,
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  } else if (operation === 'messages') {
    json(res, 200, {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'hello from the fake cloud' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 5 },
    });
  } else if (parsed['stream'] === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const content of ['hello ', 'from the ', 'fake cloud']) {
      res.write(
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`,
      );
    }
    res.write(
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  } else if (operation === 'completions') {
    json(res, 200, {
      id: 'cmpl-1',
      object: 'text_completion',
      model,
      choices: [{ index: 0, text: 'hello from the fake cloud', finish_reason: 'stop' }],
    });
  } else {
    json(res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'hello from the fake cloud' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
