import { anthropicTypeFor } from './error-table.js';
import type { AnthropicErrorType } from './error-table.js';
import { errorFrom } from './error-from.js';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/** The body of an error response in the Anthropic API format. */
export function toAnthropicErrorBody(
  thrown: unknown,
  options: { requestId?: string } = {},
): AnthropicErrorBody {
  const err = errorFrom(thrown);
  const body: AnthropicErrorBody = {
    type: 'error',
    error: { type: anthropicTypeFor(err.code, err.status), message: err.message },
  };
  if (options.requestId !== undefined) body.request_id = options.requestId;
  return body;
}

/** The SSE `error` event that ends a failed Anthropic-format stream explicitly. */
export function anthropicStreamErrorEvent(thrown: unknown): string {
  return `event: error\ndata: ${JSON.stringify(toAnthropicErrorBody(thrown))}\n\n`;
}
