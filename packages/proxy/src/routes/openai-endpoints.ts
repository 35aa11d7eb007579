import type { Capabilities } from '@mlx-gateway/shared';
import type { JsonObject } from '../http/parse-json-object.js';
import { readChatRequest, readCompletionRequest, readEmbeddingRequest } from './openai-request.js';
import type { OpenAIRequest } from './openai-request.js';

/** One OpenAI API operation the proxy forwards. */
export interface OpenAIEndpoint {
  /** Path the proxy serves. */
  path: string;
  /** Path below an upstream's `/v1` base. */
  upstreamPath: string;
  /** Capability a model needs to serve it (also the feature named in the 400 if it lacks it). */
  capability: keyof Pick<Capabilities, 'chat' | 'completions' | 'embeddings'>;
  read(body: JsonObject): OpenAIRequest;
}

export const chatCompletionsEndpoint: OpenAIEndpoint = {
  path: '/v1/chat/completions',
  upstreamPath: '/chat/completions',
  capability: 'chat',
  read: readChatRequest,
};

export const completionsEndpoint: OpenAIEndpoint = {
  path: '/v1/completions',
  upstreamPath: '/completions',
  capability: 'completions',
  read: readCompletionRequest,
};

export const embeddingsEndpoint: OpenAIEndpoint = {
  path: '/v1/embeddings',
  upstreamPath: '/embeddings',
  capability: 'embeddings',
  read: readEmbeddingRequest,
};

export const openAIEndpoints: readonly OpenAIEndpoint[] = [
  chatCompletionsEndpoint,
  completionsEndpoint,
  embeddingsEndpoint,
];
