import type { BackendRequest, PrepareContext, PreparedRequest } from './backend.js';
import { unsupportedByTarget } from '../routing/capability-check.js';
import { loadTranslators, loadedTranslators } from '../translate/load-translators.js';
import type { Translators } from '../translate/load-translators.js';
import type { AnthropicMessagesRequest } from '../translate/types.js';
import { ChatTranslatingBackend, maxTokensFieldFor } from './chat-translating-backend.js';
import { openAIToAnthropicTransform } from './transforms/openai-to-anthropic-transform.js';

/**
 * An OpenAI-speaking backend (a local model, OpenAI, any OpenAI-compatible URL) made to serve
 * Anthropic Messages requests: the request is translated to a chat completion request (a 400
 * naming the feature, the model and its backend when it cannot be), handed to the wrapped
 * backend as if the client had sent it, and the response or stream is translated back.
 */
export class AnthropicInboundBackend extends ChatTranslatingBackend {
  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest> {
    // The translators load on the first translated request; after that, no wait.
    const translators = loadedTranslators();
    if (translators === undefined) {
      return loadTranslators().then((loaded) => this.translate(loaded, req, ctx));
    }
    return this.translate(translators, req, ctx);
  }

  private translate(
    translators: Translators,
    req: BackendRequest,
    ctx: PrepareContext,
  ): PreparedRequest | Promise<PreparedRequest> {
    const { target } = req;
    const client = req.request.body as unknown as AnthropicMessagesRequest;
    let body;
    try {
      body = translators.anthropicToOpenAIRequest(client, {
        upstreamModel: target.upstreamModel,
        maxTokensField: maxTokensFieldFor(target),
      });
    } catch (err) {
      throw unsupportedByTarget(err, target);
    }
    const inputTokensEstimate = translators.countTokensAnthropic(client).input_tokens;
    return this.prepareChat(req, ctx, body, (who) =>
      openAIToAnthropicTransform({
        translators,
        model: req.request.model,
        inputTokensEstimate,
        who,
      }),
    );
  }
}
