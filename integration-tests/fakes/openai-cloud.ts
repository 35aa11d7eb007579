import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the fake cloud received. Secrets are not kept: see `headers`. */
export interface CloudRequest {
  method: string;
  path: string;
  /** The `model` of the JSON body, as the gateway sent it upstream. */
  model: string | undefined;
  stream: boolean;
  /** Request headers without Authorization, API-key headers, cookies. */
  headers: Record<string, string>;
  /** Whether the expected `Authorization: Bearer <key>` came with it. */
  authorized: boolean;
  body: unknown;
}

/** An error answer for one upcoming request. */
export interface CloudFailure {
  status: number;
  /** Default: a message naming the status. */
  message?: string;
  /** Put the Authorization header the gateway sent into the error message (leak tests). */
  echoKey?: boolean;
}

export interface FakeOpenAICloudOptions {
  /** The key the gateway must present as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Ids listed by GET /v1/models. */
  models?: string[];
}

/** How responses behave until changed; failures are used up one request each. */
export interface CloudBehaviour {
  /** Wait this long before the response head (a slow upstream). */
  firstByteDelayMs: number;
  /** Streams: after this many content chunks, send nothing more and keep the connection open. */
  stallAfterChunks: number | undefined;
  /** Streams: after this many content chunks, destroy the connection. */
  breakAfterChunks: number | undefined;
  /** Streamed and non-streamed answers: these words (default: names the model received). */
  reply: string | undefined;
}

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'cookie',
]);

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', 'internal_error'],
  503: ['server_error', 'overloaded'],
};

function defaultBehaviour(): CloudBehaviour {
  return {
    firstByteDelayMs: 0,
    stallAfterChunks: undefined,
    breakAfterChunks: undefined,
    reply: undefined,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function errorBody(status: number, message: string): unknown {
  const [type, code] = ERROR_TYPES[status] ?? ['server_error', String(status)];
  return { error: { message, type, param: null, code } };
}

/**
 * A stand-in for the OpenAI cloud API on 127.0.0.1 (OS-assigned port): checks the bearer key
 * (401 in OpenAI's format otherwise), serves chat completions (JSON and SSE), completions,
 * embeddings and the model list, and records what it received (secrets left out). Tests tell
 * it to fail the next requests (429, 500, 503, ...), echo the presented key in an error body,
 * be slow before the first byte, or stall or break a stream after N chunks.
 */
export class FakeOpenAICloud {
  readonly apiKey: string;
  readonly requests: CloudRequest[] = [];
  /** Client connections that went away before their response was complete. */
  aborts = 0;
  private behaviour: CloudBehaviour = defaultBehaviour();
  private readonly failures: CloudFailure[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private readonly models: string[];
  private held: Promise<void> | undefined;
  private server!: Server;
  private address!: AddressInfo;

  private constructor(options: FakeOpenAICloudOptions) {
    this.apiKey = options.apiKey;
    this.models = options.models ?? ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'];
  }

  static async start(options: FakeOpenAICloudOptions): Promise<FakeOpenAICloud> {
    const cloud = new FakeOpenAICloud(options);
    cloud.server = createServer((req, res) => cloud.onRequest(req, res));
    cloud.server.on('connection', (socket: Socket) => {
      cloud.sockets.add(socket);
      socket.on('close', () => cloud.sockets.delete(socket));
    });
    cloud.server.listen(0, '127.0.0.1');
    await once(cloud.server, 'listening');
    cloud.address = cloud.server.address() as AddressInfo;
    return cloud;
  }

  get port(): number {
    return this.address.port;
  }

  /** http://127.0.0.1:PORT */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The base URL to configure: http://127.0.0.1:PORT/v1 */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** Answers the next `count` requests with this error (after any failures already queued). */
  failNext(failure: CloudFailure, count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** Changes how responses behave from now on. */
  set(behaviour: Partial<CloudBehaviour>): void {
    this.behaviour = { ...this.behaviour, ...behaviour };
  }

  /**
   * Holds every response before its first byte until the returned function is called, so a
   * test can act while the gateway waits (no timing involved).
   */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.held = undefined;
      release();
    };
  }

  /** Default behaviour, no queued failures, no recorded requests. */
  reset(): void {
    this.behaviour = defaultBehaviour();
    this.failures.length = 0;
    this.requests.length = 0;
    this.aborts = 0;
  }

  /** Resolves once `count` requests in all have been received. */
  waitForRequests(count: number, timeoutMs = 10_000): Promise<CloudRequest[]> {
    return this.waitFor(() => this.requests.length >= count, `${count} requests`, timeoutMs).then(
      () => this.requests,
    );
  }

  /** Resolves once `count` client connections went away before their response ended. */
  waitForAborts(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitFor(() => this.aborts >= count, `${count} aborted responses`, timeoutMs);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private waitFor(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `fake cloud: no ${what} within ${timeoutMs} ms (${this.requests.length} requests so far)`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.on('close', () => {
        if (!res.writableFinished) {
          this.aborts += 1;
          this.notify();
        }
      });
      void this.answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!SECRET_HEADERS.has(name) && value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    const presented = req.headers.authorization ?? '';
    const authorized = presented === `Bearer ${this.apiKey}`;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const model = typeof json['model'] === 'string' ? json['model'] : undefined;
    const stream = json['stream'] === true;
    this.requests.push({
      method: req.method ?? '',
      path,
      model,
      stream,
      headers,
      authorized,
      body,
    });
    this.notify();

    if (this.held) await this.held;
    if (this.behaviour.firstByteDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.behaviour.firstByteDelayMs));
    }
    if (res.destroyed) return;

    const failure = this.failures.shift();
    if (failure) {
      const said = failure.message ?? `the fake cloud failed with HTTP ${failure.status}`;
      const message = failure.echoKey ? `${said} (key presented: ${presented})` : said;
      if (failure.status === 429) res.setHeader('retry-after', '1');
      sendJson(res, failure.status, errorBody(failure.status, message));
      return;
    }
    if (!authorized) {
      sendJson(
        res,
        401,
        errorBody(
          401,
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        ),
      );
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({
          id,
          object: 'model',
          created: 0,
          owned_by: 'fake-cloud',
        })),
      });
      return;
    }
    if (
      req.method !== 'POST' ||
      !['/v1/chat/completions', '/v1/completions', '/v1/embeddings'].includes(path)
    ) {
      sendJson(res, 404, errorBody(404, `Unknown request URL: ${req.method} ${path}`));
      return;
    }
    if (typeof body !== 'object' || body === null || model === undefined) {
      sendJson(res, 400, errorBody(400, 'you must provide a model parameter'));
      return;
    }
    if (path === '/v1/embeddings') this.embeddings(res, json, model);
    else if (stream) this.streamed(res, path, json, model);
    else this.completed(res, path, model);
  }

  private words(model: string): string[] {
    return (this.behaviour.reply ?? `Hello from the fake cloud, model ${model}`).split(' ');
  }

  private completed(res: ServerResponse, path: string, model: string): void {
    const content = this.words(model).join(' ');
    const usage = {
      prompt_tokens: 5,
      completion_tokens: this.words(model).length,
      total_tokens: 5 + this.words(model).length,
    };
    if (path === '/v1/completions') {
      sendJson(res, 200, {
        id: 'cmpl-fake',
        object: 'text_completion',
        created: 1,
        model,
        choices: [{ index: 0, text: content, finish_reason: 'stop', logprobs: null }],
        usage,
      });
      return;
    }
    sendJson(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' },
      ],
      usage,
    });
  }

  private streamed(
    res: ServerResponse,
    path: string,
    json: Record<string, unknown>,
    model: string,
  ): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chat = path === '/v1/chat/completions';
    const event = (payload: unknown): void => {
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
    const chunk = (delta: Record<string, unknown> | string, finish: string | null): unknown =>
      chat
        ? {
            id: 'chatcmpl-fake',
            object: 'chat.completion.chunk',
            created: 1,
            model,
            choices: [{ index: 0, delta, finish_reason: finish }],
          }
        : {
            id: 'cmpl-fake',
            object: 'text_completion',
            created: 1,
            model,
            choices: [{ index: 0, text: delta, finish_reason: finish, logprobs: null }],
          };
    if (chat) event(chunk({ role: 'assistant', content: '' }, null));
    const words = this.words(model);
    const { stallAfterChunks, breakAfterChunks } = this.behaviour;
    for (let i = 0; i < words.length; i++) {
      if (stallAfterChunks !== undefined && i >= stallAfterChunks) return;
      if (breakAfterChunks !== undefined && i >= breakAfterChunks) {
        res.socket?.destroy();
        return;
      }
      const text = i === 0 ? (words[i] as string) : ` ${words[i] as string}`;
      event(chunk(chat ? { content: text } : text, null));
    }
    event(chunk(chat ? {} : '', 'stop'));
    const options = json['stream_options'] as { include_usage?: boolean } | undefined;
    if (options?.include_usage) {
      event({
        id: 'chatcmpl-fake',
        object: chat ? 'chat.completion.chunk' : 'text_completion',
        created: 1,
        model,
        choices: [],
        usage: {
          prompt_tokens: 5,
          completion_tokens: words.length,
          total_tokens: 5 + words.length,
        },
      });
    }
    res.end('data: [DONE]\n\n');
  }

  private embeddings(res: ServerResponse, json: Record<string, unknown>, model: string): void {
    const input = json['input'];
    const inputs = Array.isArray(input) ? input : [input];
    const data = inputs.map((item, index) => {
      const digest = createHash('sha256').update(JSON.stringify(item)).digest();
      return {
        object: 'embedding',
        index,
        embedding: Array.from({ length: 8 }, (_, i) => (digest[i] as number) / 255),
      };
    });
    sendJson(res, 200, {
      object: 'list',
      data,
      model,
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
  }
}
