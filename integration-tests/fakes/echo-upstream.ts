import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An upstream that gives away every credential it knows, in every way a careless server does:
 * the keys it was sent (Authorization, x-api-key, any `*-token` header) and a list of extra
 * values it was told (as if a client had pasted its gateway key into a prompt). It answers both
 * APIs (`.../messages` in Anthropic's format, the rest in OpenAI's), chosen by the first path
 * segment:
 * - `/leak/v1/...`: 200. A stream echoes each value whole (cut in two TCP writes in the middle
 *   of the value), as a prefix, a suffix and masked, then ends with an error event quoting
 *   them; a JSON answer carries the same text, also written in two parts (chunked for chat,
 *   with a content length otherwise). Response headers repeat the keys too.
 * - `/masked401/v1/...`: 401 "Incorrect API key provided: sk-proj-abcd****wxyz", as OpenAI does.
 */
export class EchoUpstream {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly extra: readonly string[]) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(extra: readonly string[] = []): Promise<EchoUpstream> {
    const upstream = new EchoUpstream(extra);
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    return upstream;
  }

  url(behaviour: 'leak' | 'masked401'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${behaviour}/v1`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const behaviour = path.split('/')[1];
    const anthropic = path.endsWith('/messages');
    const values = [...credentialsOf(req), ...this.extra];
    const first = values[0] ?? 'none';
    for (const [i, value] of values.entries()) res.setHeader(`x-echo-${i}`, value);
    if (behaviour === 'masked401') {
      const message = `Incorrect API key provided: ${masked(first)}. You can find your API key at https://platform.example.com/account/api-keys.`;
      const error = anthropic
        ? { type: 'error', error: { type: 'authentication_error', message } }
        : { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } };
      sendJson(res, 401, error);
      return;
    }
    let stream = false;
    try {
      stream = (JSON.parse(body) as { stream?: unknown }).stream === true;
    } catch {
      // not JSON: answered like a non-streamed request
    }
    if (path.endsWith('/count_tokens')) {
      sendJson(res, 200, { input_tokens: 3, note: leakText(values) });
    } else if (stream) {
      await streamLeaks(res, values, anthropic);
    } else {
      await jsonLeaks(res, values, path, anthropic);
    }
  }
}

function credentialsOf(req: IncomingMessage): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value !== 'string') continue;
    if (name === 'authorization') found.push(value.replace(/^Bearer /, ''));
    else if (name === 'x-api-key' || name.endsWith('-token')) found.push(value);
  }
  return found;
}

function masked(value: string): string {
  return `${value.slice(0, 12)}${'*'.repeat(12)}${value.slice(-4)}`;
}

/** Every recognisable form of each value, in one sentence. */
function leakText(values: readonly string[]): string {
  return values
    .map(
      (v) =>
        `key ${v}, prefix ${v.slice(0, 10)}, suffix ${v.slice(-10)}, masked ${masked(v)}, short sk-...${v.slice(-4)}`,
    )
    .join('; ');
}

/** Lets the bytes written so far leave as their own TCP segment. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 3));
}

async function streamLeaks(
  res: ServerResponse,
  values: readonly string[],
  anthropic: boolean,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const frame = (text: string): string =>
    anthropic
      ? `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`
      : `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
  if (anthropic) {
    res.write(
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n`,
    );
    res.write(
      `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
    );
  }
  for (const value of values) {
    // The value cut in the middle, across two writes (and so two chunks at the proxy).
    const whole = frame(`the key is ${value} indeed`);
    const cut = whole.indexOf(value) + Math.floor(value.length / 2);
    res.write(whole.slice(0, cut));
    await pause();
    res.write(whole.slice(cut));
    await pause();
    res.write(frame(leakText([value])));
  }
  const message = `upstream failure: ${leakText(values)}`;
  res.end(
    anthropic
      ? `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`
      : `data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`,
  );
}

async function jsonLeaks(
  res: ServerResponse,
  values: readonly string[],
  path: string,
  anthropic: boolean,
): Promise<void> {
  const text = leakText(values);
  let body: unknown;
  if (anthropic) {
    body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1, output_tokens: 1 },
    };
  } else if (path.endsWith('/embeddings')) {
    body = {
      object: 'list',
      model: 'm',
      data: [{ object: 'embedding', index: 0, embedding: [0.1] }],
      note: text,
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
  } else if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) {
    body = {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'm',
      choices: [{ index: 0, text, finish_reason: 'stop' }],
    };
  } else {
    body = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
  }
  const serialized = JSON.stringify(body);
  const first = values[0] ?? '';
  const cut =
    first === '' ? serialized.length >> 1 : serialized.indexOf(first) + (first.length >> 1);
  const chunked = path.endsWith('/chat/completions');
  res.writeHead(200, {
    'content-type': `application/json; charset=utf-8; leaked=${first}`,
    ...(chunked ? {} : { 'content-length': Buffer.byteLength(serialized) }),
  });
  res.write(serialized.slice(0, cut));
  await pause();
  res.end(serialized.slice(cut));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
