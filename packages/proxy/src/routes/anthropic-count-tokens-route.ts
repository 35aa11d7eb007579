import { anthropicClientFormat } from '../api/client-format.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import { loadTranslators, loadedTranslators } from '../translate/load-translators.js';
import type { AnthropicMessagesRequest } from '../translate/types.js';
import { anthropicCountTokensEndpoint } from '../api/anthropic-endpoints.js';
import { readAnthropicInput } from './anthropic-route-input.js';
import { forwardExchange } from './forward-exchange.js';
import type { ProxyRouteDeps } from './route-deps.js';

/**
 * POST /v1/messages/count_tokens. A model served by the Anthropic API counts with its own
 * tokenizer: the request is forwarded (falling over only to other Anthropic targets of its
 * chain). Any other model answers at once with the gateway's estimate (countTokensAnthropic):
 * OpenAI-compatible servers have no counting endpoint, and starting a local model just to
 * count would be out of all proportion.
 */
export function anthropicCountTokensRoute(deps: ProxyRouteDeps): ProxyRoute {
  return async (call) => {
    const input = await readAnthropicInput(call, anthropicCountTokensEndpoint, deps);
    if (input === undefined) return;
    const { record } = call;
    const { routed, plan } = input;
    const first = plan[0];
    const forwarded = plan.slice(
      0,
      leadingRun(plan, (step) => deps.backends.speaksAnthropic(step.target)),
    );
    if (first === undefined || forwarded.length === 0) {
      if (first !== undefined) {
        record.target = first.target.name;
        record.backend = first.backendName;
      }
      const translators = loadedTranslators() ?? (await loadTranslators());
      record.complete = true;
      const body = JSON.stringify(
        translators.countTokensAnthropic(
          routed.request.body as unknown as AnthropicMessagesRequest,
        ),
      );
      call.outgoing.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-request-id': record.reqId,
      });
      call.outgoing.end(body);
      return;
    }
    await forwardExchange(call, deps, false, anthropicClientFormat, forwarded, routed.requestFor);
  };
}

function leadingRun<T>(items: readonly T[], test: (item: T) => boolean): number {
  const index = items.findIndex((item) => !test(item));
  return index === -1 ? items.length : index;
}
