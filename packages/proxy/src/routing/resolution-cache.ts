import type { Resolution } from './target.js';

/**
 * Resolutions of names routed by a prefix or a rule, kept so that repeated requests for the
 * same name allocate nothing. Bounded: clients choose these names, so past `limit` entries the
 * oldest is dropped.
 */
export class ResolutionCache {
  private readonly entries = new Map<string, Resolution>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(name: string): Resolution | undefined {
    return this.entries.get(name);
  }

  set(name: string, resolution: Resolution): void {
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(name, resolution);
  }
}
