import type { Backend, BackendRequest, PrepareContext, PreparedRequest } from './backend.js';
import { unsupportedByTarget } from '../routing/capability-check.js';
import type { ResponsesRequest } from '../translate/responses/types.js';
import { ChatTranslatingBackend, maxTokensFieldFor } from './chat-translating-backend.js';
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
export class ResponsesInboundBackend extends ChatTranslatingBackend {
  constructor(
    inner: Backend,
    private readonly session: ResponsesSession,
  ) {
    super(inner);
  }

  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest> {
    const { target } = req;
    const client = req.request.body as unknown as ResponsesRequest;
    let mapped;
    try {
      mapped = this.session.translators.responsesToChatRequest(client, {
        upstreamModel: target.upstreamModel,
        maxTokensField: maxTokensFieldFor(target),
      });
    } catch (err) {
      throw unsupportedByTarget(err, target);
    }
    this.session.noteDropped(target.name, mapped.dropped);
    // The same for every target: the flattened tool groups of the request.
    this.session.context.namespaces = mapped.namespaces;
    const session = this.session;
    return this.prepareChat(req, ctx, mapped.body, (who, inner) =>
      responsesTransform({ session, who, inner }),
    );
  }
}
