import { openAITypeFor } from './error-table.js';
import type { OpenAIErrorType } from './error-table.js';
import { errorFrom } from './error-from.js';

export interface OpenAIErrorBody {
  error: {
    message: string;
    type: OpenAIErrorType;
    param: string | null;
    /** Our stable code in lower case, like OpenAI's own codes: MODEL_NOT_FOUND → "model_not_found". */
    code: string;
  };
}

/** The body of an error response in the OpenAI API format. */
export function toOpenAIErrorBody(thrown: unknown): OpenAIErrorBody {
  const err = errorFrom(thrown);
  return {
    error: {
      message: err.message,
      type: openAITypeFor(err.status),
      param: err.param ?? null,
      code: err.code.toLowerCase(),
    },
  };
}

/**
 * The SSE event that ends a failed OpenAI-format stream explicitly (the client sees why it
 * ended instead of a silent cut): `data: {"error":{...}}` and a blank line.
 */
export function openAIStreamErrorEvent(thrown: unknown): string {
  return `data: ${JSON.stringify(toOpenAIErrorBody(thrown))}\n\n`;
}
