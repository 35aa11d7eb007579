import type { ApiRequest } from '../api/api-request.js';

/** Bytes per token of the input estimate (about four for English text and JSON). */
const BYTES_PER_TOKEN = 4;

/**
 * The tokens a request is charged when it starts: the most it may generate (`max_tokens`,
 * `max_completion_tokens` or `max_output_tokens`, whichever the API names) plus its input
 * estimated from the body's size. Settled against the usage when that is known.
 */
export function reserveTokens(request: ApiRequest, bodyBytes: number): number {
  const body = request.body;
  const output =
    numberField(body.max_tokens) ??
    numberField(body.max_completion_tokens) ??
    numberField(body.max_output_tokens) ??
    0;
  return output + Math.ceil(bodyBytes / BYTES_PER_TOKEN);
}

function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.floor(value)
    : undefined;
}
