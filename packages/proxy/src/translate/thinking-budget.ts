import { invalidRequest } from './translation-error.js';
import type { AnthropicThinkingConfig, OpenAIReasoningEffort } from './types.js';

/** Anthropic's smallest accepted thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** Thinking budget (tokens) per OpenAI `reasoning_effort`; `none` means no thinking. */
export const REASONING_EFFORT_BUDGETS: Readonly<
  Record<Exclude<OpenAIReasoningEffort, 'none'>, number>
> = {
  minimal: 1024,
  low: 4096,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

export interface ThinkingPlan {
  thinking?: AnthropicThinkingConfig;
  maxTokens: number;
}

/**
 * Chooses `thinking` and `max_tokens` for an Anthropic request.
 * - The client's token limit counts reasoning too (as OpenAI's `max_completion_tokens`
 *   does), so the budget is cut to fit below it; under 1024 left is INVALID_REQUEST.
 * - Without a client limit, the default limit is kept for the answer and the budget is
 *   added on top.
 */
export function planThinking(
  effort: string | null | undefined,
  clientMaxTokens: number | undefined,
  defaultMaxTokens: number,
): ThinkingPlan {
  if (effort === null || effort === undefined || effort === 'none') {
    return { maxTokens: clientMaxTokens ?? defaultMaxTokens };
  }
  if (!Object.hasOwn(REASONING_EFFORT_BUDGETS, effort)) {
    throw invalidRequest(
      `reasoning_effort '${effort}' is not one of none, ${Object.keys(REASONING_EFFORT_BUDGETS).join(', ')}`,
      'reasoning_effort',
    );
  }
  const budget = REASONING_EFFORT_BUDGETS[effort as keyof typeof REASONING_EFFORT_BUDGETS];
  if (clientMaxTokens === undefined) {
    return {
      thinking: { type: 'enabled', budget_tokens: budget },
      maxTokens: defaultMaxTokens + budget,
    };
  }
  const fitted = Math.min(budget, clientMaxTokens - 1);
  if (fitted < MIN_THINKING_BUDGET) {
    throw invalidRequest(
      `reasoning_effort needs a token limit above ${MIN_THINKING_BUDGET} on Anthropic backends (thinking takes at least ${MIN_THINKING_BUDGET} tokens); raise max_completion_tokens or drop reasoning_effort`,
      'max_completion_tokens',
    );
  }
  return { thinking: { type: 'enabled', budget_tokens: fitted }, maxTokens: clientMaxTokens };
}
