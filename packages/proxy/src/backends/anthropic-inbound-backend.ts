import type {
  Backend,
  BackendHealth,
  BackendRequest,
  PrepareContext,
  PreparedRequest,
} from './backend.js';
import { chatCompletionsEndpoint } from '../api/openai-endpoints.js';
import { unsupportedByTarget } from '../routing/capability-check.js';
import type { Target } from '../routing/target.js';
import { anthropicToOpenAIRequest, countTokensAnthropic } from '../translate/index.js';
import type { AnthropicMessagesRequest } from '../translate/index.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import type { UpstreamIdentity } from '../upstream/upstream-error.js';
import { openAIToAnthropicTransform } from './transforms/openai-to-anthropic-transform.js';
import type { ResponseTransform } from './transforms/response-transform.js';
import { withTransform } from './backend.js';

/**
 * An OpenAI-speaking backend (a local model, OpenAI, any OpenAI-compatible URL) made to serve
 * Anthropic Messages requests: the request is translated to a chat completion request (a 400
 * naming the feature, the model and its backend when it cannot be), handed to the wrapped
 * backend as if the client had sent it, and the response or stream is translated back.
 * Leases, model starts, keys and connection pools are the wrapped backend's business.
 */
export class AnthropicInboundBackend implements Backend {
  constructor(private readonly inner: Backend) {}

  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest> {
    const { target } = req;
    const client = req.request.body as unknown as AnthropicMessagesRequest;
    let body;
    try {
      body = anthropicToOpenAIRequest(client, {
        upstreamModel: target.upstreamModel,
        maxTokensField: maxTokensFieldFor(target),
      });
    } catch (err) {
      throw unsupportedByTarget(err, target);
    }
    const translated: BackendRequest = {
      ...req,
      endpoint: chatCompletionsEndpoint,
      // `model` is already the upstream id, so the backend sends these bytes as they are.
      request: {
        model: target.upstreamModel,
        stream: req.request.stream,
        body: body as unknown as Record<string, unknown>,
        usesTools: req.request.usesTools,
        usesImages: req.request.usesImages,
      },
      rawBody: Buffer.from(JSON.stringify(body)),
    };
    const inputTokensEstimate = countTokensAnthropic(client).input_tokens;
    const transformFor = (who: UpstreamIdentity): ResponseTransform =>
      openAIToAnthropicTransform({ model: req.request.model, inputTokensEstimate, who });
    const attach = (prepared: PreparedRequest): PreparedRequest =>
      this.attach(prepared, transformFor);
    const prepared = this.inner.prepare(translated, ctx);
    return prepared instanceof Promise ? prepared.then(attach) : attach(prepared);
  }

  send(prepared: PreparedRequest, listener: UpstreamListener): UpstreamCall {
    return this.inner.send(prepared, listener);
  }

  health(target: Target): BackendHealth {
    return this.inner.health(target);
  }

  /** The transform rides along on the request, and on the one a stale-endpoint retry makes. */
  private attach(
    prepared: PreparedRequest,
    transformFor: (who: UpstreamIdentity) => ResponseTransform,
  ): PreparedRequest {
    const out = withTransform(prepared, transformFor(prepared.identity));
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
function maxTokensFieldFor(target: Target): 'max_tokens' | 'max_completion_tokens' {
  return target.model.kind === 'remote' && target.model.backend === 'openai'
    ? 'max_completion_tokens'
    : 'max_tokens';
}
