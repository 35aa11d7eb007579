// The stand-in's HTTP server, usable in-process by tests and benchmarks: the endpoints of
// mlx-openai-server for a loaded model, plus /v1/standin/stats.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BehaviourError,
  DEFAULT_REQUEST_BEHAVIOUR,
  behaviourForRequest,
  type RequestBehaviour,
} from './behaviour.js';
import { handleChat, type GenerationContext } from './chat-route.js';
import { errorBody } from './chunks.js';
import type { ModelType } from './cli.js';
import { handleCompletion } from './completions-route.js';
import { handleEmbeddings } from './embeddings-route.js';
import { Generation } from './generation.js';
import { BodyTooLargeError, readBody, sendJson, trackAccess, type AccessLog } from './http-io.js';
import { finishJson } from './pacing.js';
import {
  RequestError,
  parseChatRequest,
  parseCompletionRequest,
  parseEmbeddingRequest,
  parseJsonBody,
} from './requests.js';
import { StatsCounter, type StandinStats } from './stats.js';

export interface StandinServerOptions {
  /** The id clients see: --served-model-name, else --model-path. */
  modelId: string;
  /** Which endpoints answer (like the real server, chat needs lm/multimodal). Default lm. */
  modelType?: ModelType;
  /** Defaults for every request; x-standin-* headers override them per request. */
  behaviour?: Partial<RequestBehaviour>;
  /** --max-tokens: the cap when a request sets no max_tokens. */
  defaultMaxTokens?: number;
  /** Receives one uvicorn-style access line per request. */
  accessLog?: AccessLog;
}

export interface StandinServer {
  /** Starts listening (port 0 picks a free one); rejects on EADDRINUSE and the like. */
  listen(port: number, host?: string): Promise<{ host: string; port: number }>;
  /** Stops listening and drops every connection (in-flight generations count as aborted). */
  close(): Promise<void>;
  stats(): StandinStats;
  /** Emits 'begun' (path) when a generation request arrives and 'settled' with
   * {outcome, tokens, path} when it ends. */
  readonly events: StatsCounter;
  /** `http://host:port` once listening. */
  readonly url: string | undefined;
}

const TEXT_MODEL_TYPES: readonly ModelType[] = ['lm', 'multimodal'];

type GenerationPath = '/v1/chat/completions' | '/v1/completions' | '/v1/embeddings';

const GET_PATHS = new Set(['/health', '/v1/models', '/v1/standin/stats']);
const POST_PATHS = new Set<string>(['/v1/chat/completions', '/v1/completions', '/v1/embeddings']);

function unsupported(path: GenerationPath, modelType: ModelType): RequestError | undefined {
  if (path === '/v1/embeddings') {
    return modelType === 'embeddings'
      ? undefined
      : new RequestError(
          'Embedding requests need an embeddings model (--model-type embeddings).',
          null,
          400,
          'unsupported_request',
        );
  }
  return TEXT_MODEL_TYPES.includes(modelType)
    ? undefined
    : new RequestError('Unsupported model type', null, 400, 'unsupported_request');
}

/** What every request of one server reads: its options, request defaults and counters. */
interface ServerContext {
  options: StandinServerOptions;
  modelType: ModelType;
  defaults: RequestBehaviour;
  accessLog: AccessLog;
  stats: StatsCounter;
  /** The `created` of the model list: when the server was made, in seconds. */
  created: number;
}

/** Answers a failed generation request with the status and error body its error calls for. */
function finishWithError(gen: Generation, res: ServerResponse, error: unknown): void {
  if (error instanceof RequestError) {
    finishJson(
      gen,
      res,
      error.status,
      errorBody(error.message, error.type, error.status, error.param),
    );
  } else if (error instanceof BehaviourError) {
    finishJson(gen, res, 400, errorBody(error.message, 'invalid_request_error', 400, error.source));
  } else if (error instanceof BodyTooLargeError) {
    finishJson(gen, res, 413, errorBody(error.message, 'invalid_request_error', 413));
  } else {
    const message = error instanceof Error ? error.message : String(error);
    finishJson(gen, res, 500, errorBody(message, 'internal_error', 500));
  }
}

async function generate(
  ctx: ServerContext,
  path: GenerationPath,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const gen = new Generation(res, ctx.stats.begin(path));
  try {
    const behaviour = behaviourForRequest(ctx.defaults, req.headers);
    const body = parseJsonBody(await readBody(req));
    const refusal = unsupported(path, ctx.modelType);
    if (refusal) throw refusal;
    const context: GenerationContext = {
      modelId: ctx.options.modelId,
      behaviour,
      defaultMaxTokens: ctx.options.defaultMaxTokens,
    };
    if (path === '/v1/chat/completions') {
      await handleChat(parseChatRequest(body), gen, res, context);
    } else if (path === '/v1/completions') {
      await handleCompletion(parseCompletionRequest(body), gen, res, context);
    } else {
      await handleEmbeddings(parseEmbeddingRequest(body), gen, res, context);
    }
  } catch (error) {
    finishWithError(gen, res, error);
  }
}

function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const { options, stats, created } = ctx;
  trackAccess(req, res, ctx.accessLog);
  const path = new URL(req.url ?? '/', 'http://standin').pathname;
  if (req.method === 'GET' && path === '/health') {
    stats.healthAnswered();
    sendJson(res, 200, { status: 'ok', model_id: options.modelId, model_status: 'initialized' });
  } else if (req.method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, {
      object: 'list',
      data: [{ id: options.modelId, object: 'model', created, owned_by: 'local' }],
    });
  } else if (req.method === 'GET' && path === '/v1/standin/stats') {
    sendJson(res, 200, stats.snapshot());
  } else if (req.method === 'POST' && POST_PATHS.has(path)) {
    void generate(ctx, path as GenerationPath, req, res);
  } else if (GET_PATHS.has(path) || POST_PATHS.has(path)) {
    sendJson(
      res,
      405,
      { detail: 'Method Not Allowed' },
      { allow: GET_PATHS.has(path) ? 'GET' : 'POST' },
    );
  } else {
    sendJson(res, 404, { detail: 'Not Found' });
  }
}

export function createStandinServer(options: StandinServerOptions): StandinServer {
  const stats = new StatsCounter();
  const ctx: ServerContext = {
    options,
    modelType: options.modelType ?? 'lm',
    defaults: { ...DEFAULT_REQUEST_BEHAVIOUR, ...options.behaviour },
    accessLog: options.accessLog ?? (() => {}),
    stats,
    created: Math.floor(Date.now() / 1000),
  };
  let url: string | undefined;
  const server: Server = createServer((req, res) => handle(ctx, req, res));

  return {
    events: stats,
    get url() {
      return url;
    },
    stats: () => stats.snapshot(),
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${shown}:${address.port}`;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) {
          server.closeAllConnections();
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
