import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Timer } from '../clock/clock.js';
import { systemClock } from '../clock/clock.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { LeaseClaim, ModelSupervisor } from '../supervisor/model-supervisor.js';

/** One in-flight request's hold on a local model, so the supervisor does not stop it meanwhile. */
export interface Lease {
  readonly id: string;
  readonly model: string;
  /** The background acquire, while it has not been answered. */
  acquiring?: Promise<void>;
}

export interface LeaseManagerOptions {
  supervisor: ModelSupervisor;
  /** How often held leases are renewed; a third of the supervisor's lease TTL. */
  renewEveryMs: number;
  logger: ProxyLogger;
  clock?: Clock;
  holder?: string;
}

/**
 * Leases of this proxy process: creates their ids, takes and releases them without making the
 * request wait (the supervisor's control socket keeps the order of commands), renews them while
 * any is held, and releases what is left on shutdown.
 */
export class LeaseManager {
  readonly holder: string;
  private readonly supervisor: ModelSupervisor;
  private readonly logger: ProxyLogger;
  private readonly held = new Map<string, Lease>();
  private readonly renewTimer: Timer;
  private counter = 0;
  private closed = false;

  constructor(options: LeaseManagerOptions) {
    this.supervisor = options.supervisor;
    this.logger = options.logger;
    this.holder =
      options.holder ?? `proxy:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const clock = options.clock ?? systemClock;
    this.renewTimer = clock.timer(options.renewEveryMs, () => this.renew());
  }

  /** Leases taken and not yet released. */
  get active(): number {
    return this.held.size;
  }

  /** A new lease on `model`, counted as held from now on. */
  open(model: string): Lease {
    this.counter += 1;
    const lease: Lease = { id: `${this.holder}:${this.counter}`, model };
    this.held.set(lease.id, lease);
    return lease;
  }

  claim(lease: Lease): LeaseClaim {
    return { id: lease.id, holder: this.holder };
  }

  /** Takes the lease at the supervisor without waiting for the answer (the hot path). */
  acquireInBackground(lease: Lease): void {
    lease.acquiring = this.supervisor.acquireLease(lease.model, this.claim(lease)).then(
      () => {
        lease.acquiring = undefined;
      },
      (err: unknown) => {
        lease.acquiring = undefined;
        this.logger.debug({ err, model: lease.model, lease: lease.id }, 'lease acquire failed');
      },
    );
  }

  /**
   * Releases the lease (once; later calls do nothing), without making the caller wait. A
   * release is sent only after the lease's acquire was answered: the supervisor runs commands
   * concurrently, and a release that overtook its acquire would leave the lease behind.
   */
  release(lease: Lease): void {
    if (!this.held.delete(lease.id)) return;
    const send = (): void => {
      this.supervisor.releaseLease(lease.id).catch((err: unknown) => {
        this.logger.debug({ err, model: lease.model, lease: lease.id }, 'lease release failed');
      });
    };
    if (lease.acquiring === undefined) send();
    else void lease.acquiring.then(send);
  }

  /** Stops renewing and releases every lease still held, waiting for the answers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.renewTimer.cancel();
    const leases = [...this.held.values()];
    this.held.clear();
    await Promise.allSettled(
      leases.map(async (lease) => {
        await lease.acquiring;
        await this.supervisor.releaseLease(lease.id);
      }),
    );
  }

  private renew(): void {
    if (this.closed) return;
    this.renewTimer.refresh();
    if (this.held.size === 0) return;
    this.supervisor.renewLeases(this.holder).catch((err: unknown) => {
      this.logger.debug({ err }, 'lease renewal failed');
    });
  }
}
