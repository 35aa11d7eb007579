import type { JsonObject } from './json-fields.js';

/**
 * A request body after the checks the proxy makes on the hot path, whichever API it is in
 * (OpenAI or Anthropic): what the router, the capability check and the backends need.
 */
export interface ApiRequest {
  model: string;
  stream: boolean;
  /** The body in the client's API format. */
  body: JsonObject;
  /** The request declares tools (or legacy functions). */
  usesTools: boolean;
  /** A message carries an image part. */
  usesImages: boolean;
}
