import type { Target } from '../routing/target.js';
import type { Backend } from './backend.js';

/** Picks the backend that serves a target through the OpenAI API routes. */
export class BackendRegistry {
  constructor(
    private readonly local: Backend,
    private readonly openai: Backend,
  ) {}

  /** The backend for the target, or undefined if no backend here speaks its API. */
  for(target: Target): Backend | undefined {
    const model = target.model;
    if (model.kind === 'local') return this.local;
    if (model.backend === 'openai' || model.backend === 'openai-compatible') return this.openai;
    return undefined;
  }
}
