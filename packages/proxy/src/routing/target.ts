import type { ModelConfig } from '@mlx-gateway/shared';

/** One place a request can be sent: a configured model and the model id the upstream expects. */
export interface Target {
  /**
   * Public name the request log and errors show: the configured model's name, or the requested
   * name itself when a provider prefix or rule routed it (`openai/gpt-4o`).
   */
  name: string;
  /** The configured model, or the settings of the provider a prefix or rule routed to. */
  model: ModelConfig;
  /** Replaces `model` in the body sent upstream. */
  upstreamModel: string;
  /** The provider a prefix or rule routed to (absent for a configured model). */
  provider?: string;
}

/** Which rule matched the requested name. */
export type MatchKind = 'exact' | 'alias' | 'prefix' | 'rule';

/** Where a requested model name goes: the primary target first, then its fallbacks in order. */
export interface Resolution {
  requested: string;
  matchedBy: MatchKind;
  targets: readonly Target[];
}
