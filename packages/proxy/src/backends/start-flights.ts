import type { Lease, LeaseManager } from '../leases/lease-manager.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';

/** Where a model listens once the supervisor says it is ready. */
export interface ReadyModel {
  baseUrl: string;
  pid?: number;
}

/** What a request waiting for a model start gets: where it listens, and the request's lease. */
export interface StartedModel extends ReadyModel {
  lease: Lease;
}

/** The one `ensure` in flight for a model, with the dedicated lease it takes. */
interface Flight {
  readonly answer: Promise<ReadyModel>;
  /** Taken in the `ensure` call; it goes to the first waiter, or is given back. */
  readonly lease: Lease;
  /** Whether a waiter took `lease` (the others join the model's shared lease). */
  leaseTaken: boolean;
}

/**
 * One `ensure` in flight per model. The first request for a model that is not ready asks the
 * supervisor to start it, with a dedicated lease in the same call; the requests that come while
 * that start is on wait for its answer instead of sending an `ensure` each (a hundred answers
 * reach the proxy one after another, the last tens of milliseconds after the model was ready).
 * Once it is answered, every waiter still there goes at once: the first takes the lease of the
 * `ensure`, the others join the model's shared lease (`LeaseManager.hold`, as a request to a
 * ready model does: one acquire in the background for all of them). A failure reaches every
 * waiter. A waiter that gives up (client gone, its deadline) stops waiting alone; the start
 * goes on for the others and whoever asks next.
 */
export class StartFlights {
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly supervisor: ModelSupervisor,
    private readonly leases: LeaseManager,
  ) {}

  /** Starts (or joins the start of) `model`; resolves when it is ready, with a lease held. */
  wait(model: string, timeoutMs: number, signal: AbortSignal): Promise<StartedModel> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const flight = this.flights.get(model) ?? this.fly(model, timeoutMs);
    return new Promise<StartedModel>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      flight.answer.then(
        (ready) => {
          signal.removeEventListener('abort', onAbort);
          if (!signal.aborted) resolve({ ...ready, lease: this.leaseFor(flight, model) });
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err as Error);
        },
      );
    });
  }

  /** Requests waiting on a start of `model` right now share one `ensure` (for tests). */
  inFlight(model: string): boolean {
    return this.flights.has(model);
  }

  private fly(model: string, timeoutMs: number): Flight {
    const lease = this.leases.open(model);
    const answer = this.supervisor.ensure(model, this.leases.claim(lease), { timeoutMs });
    const flight: Flight = { answer, lease, leaseTaken: false };
    this.flights.set(model, flight);
    const land = (): void => {
      if (this.flights.get(model) === flight) this.flights.delete(model);
    };
    answer.then(
      () => {
        land();
        // After every waiter's callback (they were registered before this one ran): when no
        // waiter took the lease, it is given back once the others' shared lease went out.
        setImmediate(() => {
          if (!flight.leaseTaken) this.leases.release(lease);
        });
      },
      () => {
        land();
        this.leases.release(lease);
      },
    );
    return flight;
  }

  private leaseFor(flight: Flight, model: string): Lease {
    if (flight.leaseTaken) return this.leases.hold(model);
    flight.leaseTaken = true;
    return flight.lease;
  }
}
