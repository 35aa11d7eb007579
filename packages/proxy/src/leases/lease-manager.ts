import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';
import { systemClock } from '@mlx-gateway/shared/clock';
import type { ProxyLogger } from '../logging/logger.js';
import type { LeaseClaim, ModelSupervisor } from '../supervisor/model-supervisor.js';

/** How long a shared lease outlives its last request by default, in milliseconds. */
export const DEFAULT_LEASE_LINGER_MS = 200;

/**
 * A lease at the supervisor: what keeps it from stopping a model. A shared one is held for
 * every request to its model on the hot path (`users` of them); a dedicated one for one
 * request that asked the supervisor to `ensure` the model.
 */
export interface SupervisorLease {
  readonly id: string;
  readonly model: string;
  readonly shared: boolean;
  users: number;
  /** The background acquire, while it has not been answered. */
  acquiring?: Promise<void>;
  /** Releases a shared lease once it has had no user for the linger time. */
  linger?: Timer;
}

/** One request's hold on a local model, so the supervisor does not stop it meanwhile. */
export class Lease {
  /** Set by `LeaseManager.release`: a hold is given back once. */
  released = false;

  /** Made by LeaseManager (`hold`, `open`) only. */
  constructor(readonly held: SupervisorLease) {}

  /** The supervisor lease behind this hold (shared by every hold on the model's hot path). */
  get id(): string {
    return this.held.id;
  }

  get model(): string {
    return this.held.model;
  }
}

export interface LeaseManagerOptions {
  supervisor: ModelSupervisor;
  /** How often held leases are renewed; a third of the supervisor's lease TTL. */
  renewEveryMs: number;
  logger: ProxyLogger;
  clock?: Clock;
  holder?: string;
  /** How long a shared lease is kept after its last request ended (default 200 ms). */
  lingerMs?: number;
}

/**
 * Leases of this proxy process. A request on the hot path (`hold`) joins its model's one
 * shared lease, taken in the background when the model has none: back-to-back and
 * concurrent requests send no control message at all. The lease is released `lingerMs`
 * after its last request ended, unless another request joined it meanwhile. A request that
 * asks the supervisor to `ensure` the model takes a dedicated lease (`open`) in that call.
 * Nothing makes a request wait: acquires and releases go out in the background (the
 * supervisor's control socket keeps their order), renewals run while any lease is held (and
 * take each shared lease again, in case the supervisor restarted), and what is left is
 * released on shutdown.
 */
export class LeaseManager {
  readonly holder: string;
  private readonly supervisor: ModelSupervisor;
  private readonly logger: ProxyLogger;
  private readonly clock: Clock;
  private readonly lingerMs: number;
  /** Every supervisor lease taken and not yet released, by id. */
  private readonly held = new Map<string, SupervisorLease>();
  /** The shared lease of each model that has one. */
  private readonly shared = new Map<string, SupervisorLease>();
  private readonly renewTimer: Timer;
  private counter = 0;
  private closed = false;
  /** Turns held or asked for (turn-client.ts): renewals go on while there are any. */
  private pinned = 0;
  /** Called at each renewal that is sent (turn-client.ts re-declares its turns). */
  private readonly renewHooks: Array<() => void> = [];

  constructor(options: LeaseManagerOptions) {
    this.supervisor = options.supervisor;
    this.logger = options.logger;
    this.holder =
      options.holder ?? `proxy:${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.clock = options.clock ?? systemClock;
    this.lingerMs = options.lingerMs ?? DEFAULT_LEASE_LINGER_MS;
    this.renewTimer = this.clock.timer(options.renewEveryMs, () => this.renew());
  }

  /** Supervisor leases taken and not yet released (shared ones count once). */
  get active(): number {
    return this.held.size;
  }

  /**
   * The hot path: a hold on the model's shared lease, which is taken in the background
   * (without waiting for the answer) when the model has none.
   */
  hold(model: string): Lease {
    let lease = this.shared.get(model);
    if (lease === undefined) {
      lease = this.take(model, true);
      this.shared.set(model, lease);
      this.acquireInBackground(lease);
    }
    lease.users += 1;
    return new Lease(lease);
  }

  /** Keeps renewals going while a turn is held or waited for (the supervisor renews it too). */
  pin(): void {
    this.pinned += 1;
  }

  unpin(): void {
    if (this.pinned > 0) this.pinned -= 1;
  }

  /** Calls `hook` at each renewal sent (while leases or pinned turns are held). */
  onRenew(hook: () => void): void {
    this.renewHooks.push(hook);
  }

  /** A dedicated lease on `model`, counted as held from now on; `claim` names it to `ensure`. */
  open(model: string): Lease {
    const lease = this.take(model, false);
    lease.users = 1;
    return new Lease(lease);
  }

  claim(lease: Lease): LeaseClaim {
    return { id: lease.id, holder: this.holder };
  }

  /**
   * Gives the hold back (once; later calls do nothing), without making the caller wait. A
   * dedicated lease is released at once; a shared one when it has had no user for the linger
   * time. A release is sent only after the lease's acquire was answered: the supervisor runs
   * commands concurrently, and a release that overtook its acquire would leave it behind.
   */
  release(hold: Lease): void {
    if (hold.released) return;
    hold.released = true;
    const lease = hold.held;
    lease.users -= 1;
    if (lease.users > 0 || !this.held.has(lease.id)) return;
    if (!lease.shared || this.shared.get(lease.model) !== lease || this.lingerMs <= 0) {
      if (this.shared.get(lease.model) === lease) this.shared.delete(lease.model);
      this.finish(lease);
      return;
    }
    if (lease.linger === undefined) {
      lease.linger = this.clock.timer(this.lingerMs, () => this.expireLinger(lease));
    } else lease.linger.refresh();
  }

  /** Stops renewing and releases every lease still held, waiting for the answers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.renewTimer.cancel();
    const leases = [...this.held.values()];
    this.held.clear();
    this.shared.clear();
    await Promise.allSettled(
      leases.map(async (lease) => {
        lease.linger?.cancel();
        await lease.acquiring;
        await this.supervisor.releaseLease(lease.id);
      }),
    );
  }

  private take(model: string, shared: boolean): SupervisorLease {
    this.counter += 1;
    const lease: SupervisorLease = {
      id: `${this.holder}:${this.counter}`,
      model,
      shared,
      users: 0,
    };
    this.held.set(lease.id, lease);
    return lease;
  }

  private acquireInBackground(lease: SupervisorLease): void {
    lease.acquiring = this.supervisor.acquireLease(lease.model, this.claimOf(lease)).then(
      () => {
        lease.acquiring = undefined;
      },
      (err: unknown) => {
        lease.acquiring = undefined;
        // Not held at the supervisor: the next request takes a new lease instead of joining it.
        if (this.shared.get(lease.model) === lease) this.shared.delete(lease.model);
        if (lease.users === 0 && this.held.has(lease.id)) this.finish(lease);
        this.logger.debug({ err, model: lease.model, lease: lease.id }, 'lease acquire failed');
      },
    );
  }

  /** The linger timer fired: release the shared lease unless a request joined it meanwhile. */
  private expireLinger(lease: SupervisorLease): void {
    if (lease.users > 0 || !this.held.has(lease.id)) return;
    if (this.shared.get(lease.model) === lease) this.shared.delete(lease.model);
    this.finish(lease);
  }

  private finish(lease: SupervisorLease): void {
    this.held.delete(lease.id);
    lease.linger?.cancel();
    const send = (): void => {
      this.supervisor.releaseLease(lease.id).catch((err: unknown) => {
        this.logger.debug({ err, model: lease.model, lease: lease.id }, 'lease release failed');
      });
    };
    if (lease.acquiring === undefined) send();
    else void lease.acquiring.then(send);
  }

  private claimOf(lease: SupervisorLease): LeaseClaim {
    return { id: lease.id, holder: this.holder };
  }

  private renew(): void {
    if (this.closed) return;
    this.renewTimer.refresh();
    if (this.held.size === 0 && this.pinned === 0) return;
    this.supervisor.renewLeases(this.holder).catch((err: unknown) => {
      this.logger.debug({ err }, 'lease renewal failed');
    });
    // A shared lease can live as long as its model has traffic; taking it again (the
    // supervisor ignores an acquire of a lease it holds) lets a supervisor that restarted,
    // and so forgot it, know again about the requests in flight.
    for (const lease of this.shared.values()) {
      if (lease.acquiring === undefined) this.acquireInBackground(lease);
    }
    for (const hook of this.renewHooks) hook();
  }
}
