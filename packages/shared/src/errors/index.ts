export { GatewayError } from './gateway-error.js';
export type { GatewayErrorOptions } from './gateway-error.js';
export { anthropicTypeFor, httpStatusFor, isErrorCode, openAITypeFor } from './error-table.js';
export type { AnthropicErrorType, OpenAIErrorType } from './error-table.js';
export { errorFrom, INTERNAL_MESSAGE } from './error-from.js';
export { openAIStreamErrorEvent, toOpenAIErrorBody } from './openai-error-body.js';
export type { OpenAIErrorBody } from './openai-error-body.js';
export { anthropicStreamErrorEvent, toAnthropicErrorBody } from './anthropic-error-body.js';
export type { AnthropicErrorBody } from './anthropic-error-body.js';
