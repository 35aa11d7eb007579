/**
 * Error `type` values for error frames written into a translated stream, mapped from the
 * other API's types. Unknown types fall back to the API's generic server error.
 */

const OPENAI_TO_ANTHROPIC: Readonly<Record<string, string>> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  rate_limit_exceeded: 'rate_limit_error',
  server_error: 'api_error',
  // mlx-openai-server and other local servers sometimes already use Anthropic-like names
  api_error: 'api_error',
  overloaded_error: 'overloaded_error',
  timeout_error: 'timeout_error',
  request_too_large: 'request_too_large',
};

const ANTHROPIC_TO_OPENAI: Readonly<Record<string, string>> = {
  invalid_request_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'server_error',
  overloaded_error: 'server_error',
  timeout_error: 'server_error',
};

function lookup(
  table: Readonly<Record<string, string>>,
  type: string | undefined,
): string | undefined {
  return type !== undefined && Object.hasOwn(table, type) ? table[type] : undefined;
}

/** The Anthropic error type for an OpenAI-side error type; `api_error` when unknown. */
export function toAnthropicErrorType(type: string | undefined): string {
  return lookup(OPENAI_TO_ANTHROPIC, type) ?? 'api_error';
}

/** The OpenAI error type for an Anthropic error type; `server_error` when unknown. */
export function toOpenAIErrorType(type: string | undefined): string {
  return lookup(ANTHROPIC_TO_OPENAI, type) ?? 'server_error';
}
