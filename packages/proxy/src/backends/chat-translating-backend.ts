import type {
  Backend,
  BackendHealth,
  BackendRequest,
  PrepareContext,
  PreparedRequest,
} from './backend.js';
import { withTransform } from './backend.js';
import { chatCompletionsEndpoint } from '../api/openai-endpoints.js';
import type { Target } from '../routing/target.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import type { UpstreamIdentity } from '../upstream/upstream-error.js';
import type { ResponseTransform } from './transforms/response-transform.js';

/** The client's answer translation for one upstream, given the wrapped backend's own (if any). */
export type TransformFor = (
  who: UpstreamIdentity,
  inner: ResponseTransform | undefined,
) => ResponseTransform;

/**
 * A backend that speaks chat completions, made to serve another API (Anthropic Messages, the
 * Responses API): the subclass translates the request body; this hands it to the wrapped
 * backend as if a chat client had sent it, and attaches the answer's translation to what the
 * wrapped backend prepares. Leases, model starts, keys and pools stay the wrapped backend's.
 */
export abstract class ChatTranslatingBackend implements Backend {
  constructor(protected readonly inner: Backend) {}

  abstract prepare(
    req: BackendRequest,
    ctx: PrepareContext,
  ): PreparedRequest | Promise<PreparedRequest>;

  send(prepared: PreparedRequest, listener: UpstreamListener): UpstreamCall {
    return this.inner.send(prepared, listener);
  }

  health(target: Target): BackendHealth {
    return this.inner.health(target);
  }

  /** The chat completion request `body` (its `model` already the upstream id), prepared by the wrapped backend. */
  protected prepareChat(
    req: BackendRequest,
    ctx: PrepareContext,
    body: object,
    transformFor: TransformFor,
  ): PreparedRequest | Promise<PreparedRequest> {
    const translated: BackendRequest = {
      ...req,
      endpoint: chatCompletionsEndpoint,
      // `model` is already the upstream id, so the backend sends these bytes as they are.
      request: {
        model: req.target.upstreamModel,
        stream: req.request.stream,
        body: body as Record<string, unknown>,
        usesTools: req.request.usesTools,
        usesImages: req.request.usesImages,
      },
      rawBody: Buffer.from(JSON.stringify(body)),
    };
    const attach = (prepared: PreparedRequest): PreparedRequest =>
      this.attach(prepared, transformFor);
    const prepared = this.inner.prepare(translated, ctx);
    return prepared instanceof Promise ? prepared.then(attach) : attach(prepared);
  }

  /** The transform rides along on the request, and on the one a stale-endpoint retry makes. */
  private attach(prepared: PreparedRequest, transformFor: TransformFor): PreparedRequest {
    const out = withTransform(prepared, transformFor(prepared.identity, prepared.transform));
    const retry = prepared.retry;
    if (retry !== undefined) {
      out.retry = (ctx) => retry(ctx).then((again) => this.attach(again, transformFor));
    }
    return out;
  }
}

/**
 * OpenAI's own API refuses `max_tokens` for its reasoning models and takes
 * `max_completion_tokens` for every chat model; local servers and other OpenAI-compatible APIs
 * read `max_tokens`.
 */
export function maxTokensFieldFor(target: Target): 'max_tokens' | 'max_completion_tokens' {
  return target.model.kind === 'remote' && target.model.backend === 'openai'
    ? 'max_completion_tokens'
    : 'max_tokens';
}
