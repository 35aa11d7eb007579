import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  errorBody,
  sendCompleted,
  sendEmbeddings,
  sendJson,
  sendModelList,
  sendStreamed,
} from './openai-cloud-answers.js';

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

function defaultBehaviour(): CloudBehaviour {
  return {
    firstByteDelayMs: 0,
    stallAfterChunks: undefined,
    breakAfterChunks: undefined,
    reply: undefined,
  };
}

/** The body as JSON when it parses, else its text (undefined when empty). */
function parseBody(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/** The request headers without the secret ones, multiple values joined. */
function visibleHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!SECRET_HEADERS.has(name) && value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
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
    const body = parseBody(text);
    const json = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const presented = req.headers.authorization ?? '';
    const request = this.record(req, body, json, presented);

    if (this.held) await this.held;
    if (this.behaviour.firstByteDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.behaviour.firstByteDelayMs));
    }
    if (res.destroyed) return;

    if (this.refused(req, res, request, presented)) return;
    const { path, model } = request;
    if (model === undefined) return; // never: refused() answered a body without a model
    if (path === '/v1/embeddings') sendEmbeddings(res, json, model);
    else if (request.stream)
      sendStreamed(res, path, json, model, this.words(model), this.behaviour);
    else sendCompleted(res, path, model, this.words(model));
  }

  /** Records the request (secrets left out) and tells the waiters. */
  private record(
    req: IncomingMessage,
    body: unknown,
    json: Record<string, unknown>,
    presented: string,
  ): CloudRequest {
    const request: CloudRequest = {
      method: req.method ?? '',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      model: typeof json['model'] === 'string' ? json['model'] : undefined,
      stream: json['stream'] === true,
      headers: visibleHeaders(req),
      authorized: presented === `Bearer ${this.apiKey}`,
      body,
    };
    this.requests.push(request);
    this.notify();
    return request;
  }

  /**
   * Answers what is not a completion: a queued failure, a wrong key, the model list, an unknown
   * URL, a body without a model. True when it answered.
   */
  private refused(
    req: IncomingMessage,
    res: ServerResponse,
    request: CloudRequest,
    presented: string,
  ): boolean {
    const { path, body, model } = request;
    const failure = this.failures.shift();
    if (failure) {
      const said = failure.message ?? `the fake cloud failed with HTTP ${failure.status}`;
      const message = failure.echoKey ? `${said} (key presented: ${presented})` : said;
      if (failure.status === 429) res.setHeader('retry-after', '1');
      sendJson(res, failure.status, errorBody(failure.status, message));
      return true;
    }
    if (!request.authorized) {
      sendJson(
        res,
        401,
        errorBody(
          401,
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        ),
      );
      return true;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendModelList(res, this.models);
      return true;
    }
    if (
      req.method !== 'POST' ||
      !['/v1/chat/completions', '/v1/completions', '/v1/embeddings'].includes(path)
    ) {
      sendJson(res, 404, errorBody(404, `Unknown request URL: ${req.method} ${path}`));
      return true;
    }
    if (typeof body !== 'object' || body === null || model === undefined) {
      sendJson(res, 400, errorBody(400, 'you must provide a model parameter'));
      return true;
    }
    return false;
  }

  private words(model: string): string[] {
    return (this.behaviour.reply ?? `Hello from the fake cloud, model ${model}`).split(' ');
  }
}
