import { asNumber, isObject } from './guards.js';
import type { AnthropicUsage, OpenAIUsage } from './types.js';

/**
 * OpenAI usage → Anthropic usage. OpenAI's `prompt_tokens` include cached tokens;
 * Anthropic's `input_tokens` do not, so cached tokens move to `cache_read_input_tokens`.
 * Undefined when the value is not a usage object.
 */
export function openAIUsageToAnthropic(usage: unknown): AnthropicUsage | undefined {
  if (!isObject(usage)) return undefined;
  const prompt = asNumber(usage.prompt_tokens) ?? 0;
  const completion = asNumber(usage.completion_tokens) ?? 0;
  const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = Math.min(prompt, asNumber(details.cached_tokens) ?? 0);
  return {
    input_tokens: prompt - cached,
    output_tokens: completion,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/**
 * Anthropic usage → OpenAI usage. `prompt_tokens` counts every input token (uncached,
 * cache writes and cache reads); cache reads are also `prompt_tokens_details.cached_tokens`;
 * Anthropic's two cache counts are kept verbatim as well.
 */
export function anthropicUsageToOpenAI(usage: AnthropicUsage): OpenAIUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheCreation = usage.cache_creation_input_tokens ?? 0;
  const prompt = usage.input_tokens + cacheRead + cacheCreation;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
  };
}

/** Reads an Anthropic usage object from upstream JSON, field by field. */
export function readAnthropicUsage(value: unknown, into: AnthropicUsage): AnthropicUsage {
  if (!isObject(value)) return into;
  const next = { ...into };
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_creation_input_tokens',
    'cache_read_input_tokens',
  ] as const) {
    const n = asNumber(value[key]);
    if (n !== undefined) next[key] = n;
  }
  return next;
}
