import type { Capabilities } from '@mlx-gateway/shared/config';
import type { ApiRequest } from './api-request.js';
import type { JsonObject } from './json-fields.js';

/** One API operation the proxy forwards (an OpenAI endpoint or an Anthropic one). */
export interface ApiEndpoint {
  /** Path the proxy serves. */
  path: string;
  /** Path below an upstream's `/v1` base. */
  upstreamPath: string;
  /** Capability a model needs to serve it (also the feature named in the 400 if it lacks it). */
  capability: keyof Pick<Capabilities, 'chat' | 'completions' | 'embeddings'>;
  /** Checks a parsed body of this operation; throws the 400 of the first field that is wrong. */
  read(body: JsonObject): ApiRequest;
}
