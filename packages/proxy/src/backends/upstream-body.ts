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
