import type { SecretRef } from '@mlx-gateway/shared/config';
import type { Clock } from '@mlx-gateway/shared/clock';

export type ResolveSecret = (ref: SecretRef) => Promise<string>;

interface Entry {
  value?: string;
  expires: number;
  pending?: Promise<string>;
}

/**
 * Resolved upstream secrets, kept in memory for `ttlMs` so the hot path does not read the
 * keychain or the encrypted store on every request; a rotated key is picked up within the
 * TTL. Values are never logged and never leave this object except into request headers.
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly resolve: ResolveSecret,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  /** The value if it is cached and fresh. */
  peek(ref: SecretRef): string | undefined {
    const entry = this.entries.get(keyOf(ref));
    return entry?.value !== undefined && entry.expires > this.clock.now() ? entry.value : undefined;
  }

  /** The value, resolved now if not cached (one resolution at a time per secret). */
  get(ref: SecretRef): Promise<string> {
    const key = keyOf(ref);
    const entry = this.entries.get(key);
    if (entry?.value !== undefined && entry.expires > this.clock.now()) {
      return Promise.resolve(entry.value);
    }
    if (entry?.pending !== undefined) return entry.pending;
    const pending = this.resolve(ref).then(
      (value) => {
        this.entries.set(key, { value, expires: this.clock.now() + this.ttlMs });
        return value;
      },
      (err: unknown) => {
        this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, { ...entry, expires: entry?.expires ?? 0, pending });
    return pending;
  }
}

function keyOf(ref: SecretRef): string {
  return `${ref.kind}:${ref.name}`;
}
