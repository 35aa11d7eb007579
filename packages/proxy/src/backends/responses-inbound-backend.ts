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
import { responsesToChatRequest } from '../translate/responses/index.js';
import type { ResponsesRequest } from '../translate/responses/index.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import type { UpstreamIdentity } from '../upstream/upstream-error.js';
import { withTransform } from './backend.js';
import type { ResponseTransform } from './transforms/response-transform.js';
import type { ResponsesSession } from './transforms/responses-session.js';
import { responsesTransform } from './transforms/responses-transform.js';

/**
 * A backend that speaks chat completions (a local model, any OpenAI-compatible URL, or the
 * Anthropic backend, which itself translates chat completions to Messages) made to serve
 * Responses API requests: the request becomes a chat completion request (a 400 naming the field,
 * the model and its backend when it cannot), the wrapped backend sends it as if a chat client
 * had, and the answer comes back as a response object or event stream. When the wrapped
 * backend translates too, its answer translation is composed in front of this one.
 */
export class ResponsesInboundBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly session: ResponsesSession,
  ) {}

  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest> {
    const { target } = req;
    const client = req.request.body as unknown as ResponsesRequest;
    let mapped;
    try {
      mapped = responsesToChatRequest(client, {
        upstreamModel: target.upstreamModel,
        maxTokensField: maxTokensFieldFor(target),
      });
    } catch (err) {
      throw unsupportedByTarget(err, target);
    }
    this.session.noteDropped(target.name, mapped.dropped);
    const translated: BackendRequest = {
      ...req,
      endpoint: chatCompletionsEndpoint,
      request: {
        model: target.upstreamModel,
        stream: req.request.stream,
        body: mapped.body as unknown as Record<string, unknown>,
        usesTools: req.request.usesTools,
        usesImages: req.request.usesImages,
      },
      rawBody: Buffer.from(JSON.stringify(mapped.body)),
    };
    // The same for every target: the flattened tool groups of the request.
    this.session.context.namespaces = mapped.namespaces;
    const session = this.session;
    const transformFor = (who: UpstreamIdentity, inner: ResponseTransform | undefined) =>
      responsesTransform({ session, who, inner });
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
    transformFor: (
      who: UpstreamIdentity,
      inner: ResponseTransform | undefined,
    ) => ResponseTransform,
  ): PreparedRequest {
    const out = withTransform(prepared, transformFor(prepared.identity, prepared.transform));
    const retry = prepared.retry;
    if (retry !== undefined) {
      out.retry = (ctx) => retry(ctx).then((again) => this.attach(again, transformFor));
    }
    return out;
  }
}

/** OpenAI's own API takes `max_completion_tokens`; local and compatible servers `max_tokens`. */
function maxTokensFieldFor(target: Target): 'max_tokens' | 'max_completion_tokens' {
  return target.model.kind === 'remote' && target.model.backend === 'openai'
    ? 'max_completion_tokens'
    : 'max_tokens';
}
