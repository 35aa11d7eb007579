export type * from './types.js';
export {
  anthropicToOpenAIRequest,
  TOOL_ERROR_PREFIX,
  type AnthropicToOpenAIRequestOptions,
} from './anthropic-to-openai-request.js';
export {
  openAIToAnthropicResponse,
  type OpenAIToAnthropicResponseOptions,
} from './openai-to-anthropic-response.js';
export {
  OpenAIToAnthropicStream,
  type OpenAIToAnthropicStreamOptions,
  type StreamFailure,
} from './openai-to-anthropic-stream.js';
export {
  openAIToAnthropicRequest,
  ANTHROPIC_MAX_TEMPERATURE,
  type OpenAIToAnthropicRequestOptions,
} from './openai-to-anthropic-request.js';
export {
  anthropicToOpenAIResponse,
  type AnthropicToOpenAIResponseOptions,
} from './anthropic-to-openai-response.js';
export {
  AnthropicToOpenAIStream,
  type AnthropicToOpenAIStreamOptions,
  type OpenAIStreamFailure,
  type UpstreamEvent,
} from './anthropic-to-openai-stream.js';
export {
  ANTHROPIC_TO_OPENAI_FINISH,
  OPENAI_TO_ANTHROPIC_STOP,
  OPENAI_ERROR_FINISH_REASON,
  UNKNOWN_ANTHROPIC_STOP_REASON_FINISH,
  UNKNOWN_OPENAI_FINISH_REASON_STOP,
  toAnthropicStopReason,
  toOpenAIFinishReason,
} from './stop-reasons.js';
export { ANTHROPIC_TO_OPENAI_CAPABILITIES } from './anthropic-to-openai-capabilities.js';
export { OPENAI_TO_ANTHROPIC_CAPABILITIES } from './openai-to-anthropic-capabilities.js';
export type {
  CapabilityEntry,
  CapabilityMatrix,
  Disposition,
  FeatureContext,
  FeatureLocation,
} from './capability-matrix.js';
export {
  checkAnthropicTranslatable,
  checkOpenAITranslatable,
  checkTranslatable,
  ignoredFeatures,
  listIgnoredFeatures,
} from './capability-check.js';
export { droppedAnthropicFields } from './dropped-fields.js';
export { EFFORT_TO_REASONING_EFFORT } from './anthropic-output-controls.js';
export { REASONING_EFFORT_BUDGETS, MIN_THINKING_BUDGET } from './thinking-budget.js';
export { countTokensAnthropic } from './count-tokens.js';
export { estimateTextTokens } from './estimate-tokens.js';
export { anthropicFrame, openAIFrame, OPENAI_DONE_FRAME, ANTHROPIC_PING_FRAME } from './sse.js';
