/**
 * Minimal typed shapes of the OpenAI Chat Completions API and the Anthropic Messages API,
 * limited to what the translators read or write. Fields the translators never touch are
 * left out; unknown fields of a request are looked at only by the capability check.
 */

export type JsonObject = Record<string, unknown>;

// ───────────────────────────── OpenAI Chat Completions ─────────────────────────────

/** Prompt-caching marker some OpenAI-format clients put on content parts (LiteLLM style). */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface OpenAITextPart {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}

export interface OpenAIImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
  cache_control?: CacheControl;
}

export interface OpenAIAudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}

export interface OpenAIFilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
  cache_control?: CacheControl;
}

export interface OpenAIRefusalPart {
  type: 'refusal';
  refusal: string;
}

export type OpenAIUserContentPart =
  OpenAITextPart | OpenAIImagePart | OpenAIAudioPart | OpenAIFilePart;
export type OpenAIAssistantContentPart = OpenAITextPart | OpenAIRefusalPart;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Anthropic thinking blocks carried on OpenAI assistant messages (non-standard
 * `thinking_blocks` field, the convention LiteLLM uses) so that a client can send them
 * back with their `signature`, which Anthropic requires.
 */
export type CarriedThinkingBlock = AnthropicThinkingBlock | AnthropicRedactedThinkingBlock;

export interface OpenAISystemMessage {
  role: 'system' | 'developer';
  content: string | OpenAITextPart[];
  name?: string;
}

export interface OpenAIUserMessage {
  role: 'user';
  content: string | OpenAIUserContentPart[];
  name?: string;
  cache_control?: CacheControl;
}

export interface OpenAIAssistantMessage {
  role: 'assistant';
  content?: string | OpenAIAssistantContentPart[] | null;
  tool_calls?: OpenAIToolCall[] | null;
  reasoning_content?: string | null;
  thinking_blocks?: CarriedThinkingBlock[] | null;
  refusal?: string | null;
  name?: string;
  cache_control?: CacheControl;
}

export interface OpenAIToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | OpenAITextPart[];
  cache_control?: CacheControl;
}

export interface OpenAIFunctionMessage {
  role: 'function';
  name: string;
  content: string | null;
}

export type OpenAIMessage =
  | OpenAISystemMessage
  | OpenAIUserMessage
  | OpenAIAssistantMessage
  | OpenAIToolMessage
  | OpenAIFunctionMessage;

export interface OpenAIFunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: JsonObject;
    strict?: boolean | null;
  };
  cache_control?: CacheControl;
}

export type OpenAIToolChoice =
  'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAIReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  tools?: OpenAIFunctionTool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  stop?: string | string[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** Not in the OpenAI API, but accepted by most local servers (mlx-openai-server, vLLM). */
  top_k?: number | null;
  user?: string;
  safety_identifier?: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  reasoning_effort?: OpenAIReasoningEffort | null;
  n?: number | null;
  seed?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  logit_bias?: Record<string, number> | null;
  response_format?: { type: string; json_schema?: JsonObject } | null;
  modalities?: string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  /** Kept verbatim from an Anthropic upstream (non-standard). */
  cache_creation_input_tokens?: number;
  /** Kept verbatim from an Anthropic upstream (non-standard). */
  cache_read_input_tokens?: number;
}

export type OpenAIFinishReason =
  'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAIResponseMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: OpenAIToolCall[];
  reasoning_content?: string;
  thinking_blocks?: CarriedThinkingBlock[];
  refusal?: string | null;
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: OpenAIResponseMessage;
    finish_reason: OpenAIFinishReason;
    logprobs: null;
  }[];
  usage?: OpenAIUsage;
}

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface OpenAIChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  thinking_blocks?: CarriedThinkingBlock[];
  tool_calls?: OpenAIToolCallDelta[];
}

export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: OpenAIChunkDelta;
    finish_reason: OpenAIFinishReason | null;
    logprobs: null;
  }[];
  usage?: OpenAIUsage;
}

// ───────────────────────────── Anthropic Messages ─────────────────────────────

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}

export type AnthropicImageSource =
  { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export interface AnthropicImageBlock {
  type: 'image';
  source: AnthropicImageSource;
  cache_control?: CacheControl;
}

export interface AnthropicDocumentBlock {
  type: 'document';
  source: { type: 'base64'; media_type: string; data: string };
  title?: string;
  cache_control?: CacheControl;
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: JsonObject;
  cache_control?: CacheControl;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | (AnthropicTextBlock | AnthropicImageBlock)[];
  is_error?: boolean;
  cache_control?: CacheControl;
}

export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type AnthropicRequestBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

export interface AnthropicMessageParam {
  /** `system`: an instruction placed in the conversation (current Claude Code sends one). */
  role: 'user' | 'assistant' | 'system';
  content: string | AnthropicRequestBlock[];
  /** Per-turn settings (per-turn-control beta); a hint. */
  output_config?: JsonObject;
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: JsonObject;
  /** Absent or `custom` for client tools; anything else is a server tool. */
  type?: string;
  cache_control?: CacheControl;
  /** Tool search: the tool's schema is loaded only when searched for; a hint. */
  defer_loading?: boolean;
  /** Arguments are guaranteed to match the schema (structured outputs). */
  strict?: boolean;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type AnthropicThinkingConfig =
  | { type: 'enabled'; budget_tokens: number; display?: string }
  | { type: 'adaptive'; display?: string }
  | { type: 'disabled' };

/** `output_config`: how much effort to spend, and the shape of the answer. */
export interface AnthropicOutputConfig {
  effort?: string;
  /** `{type: 'json_schema', schema}`: the answer is JSON matching the schema. */
  format?: JsonObject;
}

export interface AnthropicMessagesRequest {
  model: string;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlock[];
  max_tokens: number;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  stream?: boolean;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: AnthropicThinkingConfig;
  output_config?: AnthropicOutputConfig;
  /** The structured-outputs beta's place for what became `output_config.format`. */
  output_format?: JsonObject;
  context_management?: JsonObject;
}

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type AnthropicResponseBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}
