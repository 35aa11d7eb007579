/**
 * The parts of the OpenAI Responses API the translators read and write. Only what the gateway
 * maps is typed; everything else a client sends is carried as JSON and named when dropped.
 */
import type { JsonObject } from '../types.js';

export interface ResponsesInputText {
  type: 'input_text' | 'output_text' | 'text';
  text: string;
}

export interface ResponsesInputImage {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'auto' | 'low' | 'high';
}

export interface ResponsesInputFile {
  type: 'input_file';
  file_data?: string;
  file_id?: string;
  filename?: string;
}

export interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}

export type ResponsesContentPart =
  ResponsesInputText | ResponsesInputImage | ResponsesInputFile | ResponsesRefusal;

export interface ResponsesMessageItem {
  type?: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ResponsesContentPart[];
  status?: string;
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status?: string;
}

export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | ResponsesContentPart[];
}

export interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id?: string;
  summary: ResponsesSummaryText[];
  content?: { type: 'reasoning_text'; text: string }[];
  encrypted_content?: string | null;
}

export type ResponsesInputItem =
  | ResponsesMessageItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesReasoningItem
  | (JsonObject & { type: string });

export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: JsonObject | null;
  strict?: boolean | null;
}

export interface ResponsesNamespaceTool {
  type: 'namespace';
  name: string;
  description?: string;
  tools: (ResponsesFunctionTool | JsonObject)[];
}

export type ResponsesTool = ResponsesFunctionTool | ResponsesNamespaceTool | JsonObject;

export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: JsonObject[] }
  | JsonObject;

export interface ResponsesTextFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  schema?: JsonObject;
  strict?: boolean | null;
  description?: string;
}

export interface ResponsesRequest {
  model: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  text?: { format?: ResponsesTextFormat; verbosity?: string } | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  include?: string[] | null;
  metadata?: Record<string, string> | null;
  user?: string;
  safety_identifier?: string;
  prompt_cache_key?: string;
  client_metadata?: JsonObject;
  store?: boolean | null;
  stream?: boolean | null;
  previous_response_id?: string | null;
  [field: string]: unknown;
}

export interface ResponsesMessageOutput {
  type: 'message';
  id: string;
  status: 'completed' | 'incomplete' | 'in_progress';
  role: 'assistant';
  content: { type: 'output_text'; text: string; annotations: unknown[]; logprobs?: unknown[] }[];
}

export interface ResponsesFunctionCallOutput {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status: 'completed' | 'in_progress' | 'incomplete';
}

export interface ResponsesReasoningOutput {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
}

export type ResponsesOutputItem =
  ResponsesMessageOutput | ResponsesFunctionCallOutput | ResponsesReasoningOutput;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponsesStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed';

export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: ResponsesOutputItem[];
  output_text: string;
  usage: ResponsesUsage | null;
  [field: string]: unknown;
}
