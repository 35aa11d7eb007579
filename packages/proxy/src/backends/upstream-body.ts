import { askForStreamUsage } from '../audit/stream-usage.js';
import type { BackendRequest } from './backend.js';

/**
 * The body sent upstream: the client's bytes untouched when the model id does not change,
 * otherwise the parsed body serialised once with `model` replaced (every other field as sent).
 */
export function upstreamBody(req: BackendRequest): Buffer | string {
  const upstreamModel = req.target.upstreamModel;
  if (req.request.model === upstreamModel) return req.rawBody;
  return JSON.stringify({ ...req.request.body, model: upstreamModel });
}

/** An OpenAI-compatible upstream body, and whether the gateway asked it for a stream's usage. */
export interface OpenAIUpstreamBody {
  body: Buffer | string;
  usageInjected: boolean;
}

const OPEN_BRACE = 0x7b;
const STREAM_OPTIONS = Buffer.from('"stream_options"');
const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * The body for an OpenAI-compatible upstream (a local model server, a remote OpenAI API). When
 * the audit record wants usage (`askUsage`) for a stream of chat or completions whose client did
 * not ask for it, and the model accepts `stream_options` (its `streamingUsage` capability), the
 * body asks for it: spliced into the client's bytes after the opening brace when they carry no
 * `stream_options` (no parse, no serialisation on the hot path), through the parsed body
 * otherwise. The sink then removes the usage-only chunk (see audit/stream-usage.ts).
 */
export function openAIUpstreamBody(req: BackendRequest): OpenAIUpstreamBody {
  const plain = upstreamBody(req);
  const { request, target, endpoint } = req;
  if (
    req.askUsage !== true ||
    !request.stream ||
    endpoint.upstreamPath === '/embeddings' ||
    !target.model.capabilities.streamingUsage
  ) {
    return { body: plain, usageInjected: false };
  }
  if (typeof plain !== 'string' && plain.indexOf(STREAM_OPTIONS) === -1) {
    const brace = plain.indexOf(OPEN_BRACE);
    if (brace !== -1) {
      const body = Buffer.concat([
        plain.subarray(0, brace + 1),
        INCLUDE_USAGE,
        plain.subarray(brace + 1),
      ]);
      return { body, usageInjected: true };
    }
  }
  const asked = askForStreamUsage({ ...request.body, model: target.upstreamModel });
  if (!asked.injected) return { body: plain, usageInjected: false };
  return { body: JSON.stringify(asked.body), usageInjected: true };
}
