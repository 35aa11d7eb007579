import type { ModelState, Owner } from '@mlx-gateway/protocol';

/**
 * The status of one local model, a union on its phase: each phase carries exactly the fields
 * that mean something in it (a stopped model has no pid, a failed one always has a retry time).
 * Fields of other phases are declared absent, so that a reader may ask any status for `pid`
 * and get `undefined` where there is none, and no phase can be built carrying one.
 */

export type StartStep = 'capacity' | 'spawning' | 'loading';

/** Fields every phase has. */
interface StatusBase {
  since: number;
  /** Increments with every start; events of older runs are ignored. */
  run: number;
  /** Consecutive failed starts (for backoff). */
  failures: number;
  leases: number;
  lastUsed?: number;
  /** Why the model is in this phase (failure reason, stop reason). */
  reason?: string;
}

/** Every field a phase may add; each phase names those it has, the others are absent. */
interface PhaseFields {
  owner: Owner;
  step: StartStep;
  pid: number;
  port: number;
  /** /health probes that failed on an open port in the current start (for backoff). */
  probes: number;
  retryAt: number;
  /** Consecutive failed health checks while ready. */
  healthFailures: number;
  startedAt: number;
  readyAt: number;
  /** The process was adopted from a previous supervisor (not our child). */
  adopted: boolean;
  /** A stop waits for leases to drain before signalling. */
  draining: boolean;
  /** The leader process exited (the group may still be alive). */
  exited: boolean;
  /** Someone asked for the model while it was stopping: start again once stopped. */
  restartAfterStop: Owner;
}

type Absent<K extends keyof PhaseFields> = { [P in K]?: undefined };
/** A phase's own fields (`Required` ones always set, `Optional` ones maybe); no others. */
type Phase<
  P extends ModelState,
  Required extends keyof PhaseFields,
  Optional extends keyof PhaseFields = never,
> = StatusBase & { phase: P } & Pick<PhaseFields, Required> &
  Partial<Pick<PhaseFields, Optional>> &
  Absent<Exclude<keyof PhaseFields, Required | Optional>>;

export type StoppedStatus = Phase<'stopped', never>;

export type FailedStatus = Phase<'failed', 'retryAt'> & { reason: string };

/** Waiting for capacity or for the spawn to report back: no process yet. */
export type StartingStatus =
  | (Phase<'starting', 'owner' | 'startedAt' | 'step' | 'probes'> & {
      step: 'capacity' | 'spawning';
    })
  | (Phase<'starting', 'owner' | 'startedAt' | 'step' | 'probes' | 'pid' | 'port'> & {
      step: 'loading';
    });

export type ReadyStatus = Phase<
  'ready',
  'owner' | 'pid' | 'port' | 'startedAt' | 'readyAt' | 'healthFailures',
  'adopted'
>;

/** A stop that came before the spawn reported back has no process (yet). */
export type StoppingStatus = Phase<
  'stopping',
  'owner' | 'startedAt' | 'draining',
  'pid' | 'port' | 'readyAt' | 'adopted' | 'exited' | 'restartAfterStop'
>;

export type ModelStatus =
  StoppedStatus | StartingStatus | ReadyStatus | StoppingStatus | FailedStatus;

export function initialStatus(now: number): StoppedStatus {
  return { phase: 'stopped', since: now, run: 0, failures: 0, leases: 0 };
}
