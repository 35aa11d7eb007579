import { ANTHROPIC_COUNT_TOKENS_PATH, ANTHROPIC_MESSAGES_PATH } from './anthropic-paths.js';
import {
  readAnthropicCountTokensRequest,
  readAnthropicMessagesRequest,
} from './anthropic-request.js';
import type { ApiEndpoint } from './api-endpoint.js';

/**
 * The Anthropic Messages API operations, described like the OpenAI ones (the router, the
 * capability check and the backends take the same endpoint shape). `upstreamPath` is the path
 * below an Anthropic upstream's `/v1` base; OpenAI-speaking upstreams get the translated
 * request on their chat completions path instead.
 */
export const anthropicMessagesEndpoint: ApiEndpoint = {
  path: ANTHROPIC_MESSAGES_PATH,
  upstreamPath: '/messages',
  capability: 'chat',
  read: readAnthropicMessagesRequest,
};

export const anthropicCountTokensEndpoint: ApiEndpoint = {
  path: ANTHROPIC_COUNT_TOKENS_PATH,
  upstreamPath: '/messages/count_tokens',
  capability: 'chat',
  read: readAnthropicCountTokensRequest,
};
