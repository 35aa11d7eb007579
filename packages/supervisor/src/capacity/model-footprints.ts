import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import { estimateFromDisk } from './footprint-estimate.js';
import { FootprintStore } from './footprint-store.js';

export type FootprintSource = 'measured' | 'estimate' | 'hint';

/** The memory a model is admitted with, and where the figure comes from. */
export interface Footprint {
  bytes: number;
  source: FootprintSource;
}

/**
 * Each model's footprint, best source first: measured at its last load (persisted), else the
 * operator's `memory:` hint, else the size of its weights on disk (estimated once, when the
 * supervisor starts). A model with none of these is unknown until it is first measured.
 */
export class ModelFootprints {
  private readonly hints = new Map<string, number>();
  private readonly estimates = new Map<string, number>();

  constructor(private readonly store: FootprintStore = new FootprintStore()) {}

  /** Takes the hints of the configured models and estimates the others from disk. */
  async configure(models: readonly LocalModelConfig[], env?: NodeJS.ProcessEnv): Promise<void> {
    for (const m of models) {
      if (m.memoryHintBytes !== undefined) {
        this.hints.set(m.name, m.memoryHintBytes);
        continue;
      }
      const bytes = await estimateFromDisk(m, env);
      if (bytes !== undefined) this.estimates.set(m.name, bytes);
    }
  }

  of(model: string): Footprint | undefined {
    const measured = this.store.get(model);
    if (measured) return { bytes: measured.bytes, source: 'measured' };
    const hint = this.hints.get(model);
    if (hint !== undefined) return { bytes: hint, source: 'hint' };
    const estimate = this.estimates.get(model);
    if (estimate !== undefined) return { bytes: estimate, source: 'estimate' };
    return undefined;
  }

  /** A measurement of the model's group during run `run` (see FootprintStore.record). */
  record(model: string, run: number, bytes: number, at: number): void {
    this.store.record(model, run, bytes, at);
  }
}
