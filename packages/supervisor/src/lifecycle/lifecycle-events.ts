import type { Owner } from '@mlx-gateway/protocol';
import type { ModelStatus } from './model-status.js';

/** The vocabulary of the lifecycle: its settings, the events it takes and the effects it asks for. */

export interface LifecycleSettings {
  startTimeoutMs: number;
  idleTimeoutMs: number;
  stopGraceMs: number;
  drainTimeoutMs: number;
  healthIntervalMs: number;
  failureBackoff: { initialMs: number; maxMs: number };
  /**
   * While nothing listens on the child's port, a cheap TCP connect check every portPollMs (the
   * readiness probe runs its HTTP request at once when the port accepts). While the port is open
   * but /health is not yet 2xx: probeInitialMs, then ×1.5 per attempt up to probeMaxMs.
   */
  portPollMs: number;
  probeInitialMs: number;
  probeMaxMs: number;
  /** Consecutive failed health checks before a ready model is declared dead. */
  healthFailureLimit: number;
  /** `pin: true`: never stopped when idle (eviction skips it too, see capacity-decision.ts). */
  pinned?: boolean;
}

export const DEFAULT_PROBE = {
  portPollMs: 10,
  probeInitialMs: 10,
  probeMaxMs: 1000,
  healthFailureLimit: 3,
};

export interface StartError {
  code:
    | 'MODEL_START_FAILED'
    | 'MODEL_START_TIMEOUT'
    | 'MODEL_BACKOFF'
    | 'MODEL_STOPPED'
    | 'CAPACITY_EXHAUSTED'
    | 'NO_FREE_PORT';
  message: string;
  logTail?: string[];
  retryAt?: number;
}

export type TimerName = 'probe' | 'startTimeout' | 'idle' | 'drain' | 'kill' | 'health';

export type LifecycleEvent =
  | { type: 'ensure'; owner: Owner }
  | { type: 'capacityGranted' }
  | { type: 'capacityDenied'; reason: string }
  | { type: 'spawned'; run: number; pid: number; port: number }
  | {
      type: 'spawnFailed';
      run: number;
      code: 'MODEL_START_FAILED' | 'NO_FREE_PORT';
      reason: string;
    }
  | { type: 'exited'; run: number; code: number | null; signal: string | null; logTail: string[] }
  | { type: 'groupGone'; run: number }
  /** listening: whether the port accepted a connection (absent: it did, or it is not known). */
  | { type: 'probeResult'; run: number; ok: boolean; listening?: boolean }
  | { type: 'timer'; name: TimerName; run: number }
  | { type: 'leases'; count: number }
  | { type: 'stop'; reason: string; drain: boolean }
  /** Requests stall while /health answers: stop at once and start again (same owner). */
  | { type: 'wedged'; reason: string }
  | { type: 'promote' }
  | { type: 'clear' }
  | { type: 'adopted'; run: number; pid: number; port: number; owner: Owner; startedAt: number };

export type Effect =
  | { kind: 'requestCapacity' }
  | { kind: 'releaseCapacity' }
  | { kind: 'spawn'; run: number; owner: Owner }
  | { kind: 'signal'; run: number; signal: 'SIGTERM' | 'SIGKILL' }
  | { kind: 'watchGroup'; run: number }
  | { kind: 'probe'; run: number }
  | { kind: 'setTimer'; name: TimerName; ms: number; run: number }
  | { kind: 'cancelTimer'; name: TimerName }
  | { kind: 'forget'; run: number }
  | { kind: 'resolveWaiters' }
  | { kind: 'rejectWaiters'; error: StartError }
  | { kind: 'publish' };

export interface Transition {
  status: ModelStatus;
  effects: Effect[];
}

/** The handler of one phase: given a status in that phase and an event, the transition. */
export type PhaseHandler<S extends ModelStatus> = (
  s: S,
  e: LifecycleEvent,
  now: number,
  cfg: LifecycleSettings,
) => Transition;
