/** One in-flight request on a model, held by a proxy process. */
export interface Lease {
  id: string;
  model: string;
  holder: string;
  expiresAt: number;
}

/**
 * Leases per model. A proxy renews all of its leases periodically; leases of a proxy that died
 * stop being renewed and expire, so they cannot keep a model loaded forever.
 */
export class LeaseTable {
  private readonly leases = new Map<string, Lease>();
  private readonly perModel = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly onCount: (model: string, count: number) => void,
  ) {}

  acquire(id: string, model: string, holder: string): void {
    if (this.leases.has(id)) return;
    this.leases.set(id, { id, model, holder, expiresAt: this.now() + this.ttlMs });
    this.bump(model, 1);
  }

  release(id: string): boolean {
    const lease = this.leases.get(id);
    if (!lease) return false;
    this.leases.delete(id);
    this.bump(lease.model, -1);
    return true;
  }

  renew(holder: string): number {
    const expiresAt = this.now() + this.ttlMs;
    let n = 0;
    for (const lease of this.leases.values()) {
      if (lease.holder === holder) {
        lease.expiresAt = expiresAt;
        n++;
      }
    }
    return n;
  }

  /** Drops expired leases; returns how many. */
  expire(): number {
    const now = this.now();
    let n = 0;
    for (const lease of [...this.leases.values()]) {
      if (lease.expiresAt <= now) {
        this.release(lease.id);
        n++;
      }
    }
    return n;
  }

  count(model: string): number {
    return this.perModel.get(model) ?? 0;
  }

  get ttl(): number {
    return this.ttlMs;
  }

  private bump(model: string, delta: number): void {
    const count = (this.perModel.get(model) ?? 0) + delta;
    if (count === 0) this.perModel.delete(model);
    else this.perModel.set(model, count);
    this.onCount(model, count);
  }
}
