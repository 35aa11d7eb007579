import type { ModelConfig } from '@mlx-gateway/shared';

/** One place a request can be sent: a configured model and the model id the upstream expects. */
export interface Target {
  /** Public name of the configured model (what the request log and errors show). */
  name: string;
  model: ModelConfig;
  /** Replaces `model` in the body sent upstream. */
  upstreamModel: string;
}

/** Which rule matched the requested name. */
export type MatchKind = 'exact' | 'alias';

/** Where a requested model name goes: the primary target first, then its fallbacks in order. */
export interface Resolution {
  requested: string;
  matchedBy: MatchKind;
  targets: readonly Target[];
}
