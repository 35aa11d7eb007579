import type { ApiEndpoint } from './api-endpoint.js';
import { readChatRequest, readCompletionRequest, readEmbeddingRequest } from './openai-request.js';

/** The OpenAI API operations the proxy forwards. */

export const chatCompletionsEndpoint: ApiEndpoint = {
  path: '/v1/chat/completions',
  upstreamPath: '/chat/completions',
  capability: 'chat',
  read: readChatRequest,
};

export const completionsEndpoint: ApiEndpoint = {
  path: '/v1/completions',
  upstreamPath: '/completions',
  capability: 'completions',
  read: readCompletionRequest,
};

export const embeddingsEndpoint: ApiEndpoint = {
  path: '/v1/embeddings',
  upstreamPath: '/embeddings',
  capability: 'embeddings',
  read: readEmbeddingRequest,
};

export const openAIEndpoints: readonly ApiEndpoint[] = [
  chatCompletionsEndpoint,
  completionsEndpoint,
  embeddingsEndpoint,
];
