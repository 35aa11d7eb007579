import type { Command, CommandName, CommandResults, ModelInfo } from '@mlx-gateway/protocol';

/** A lease as the supervisor knows it: one in-flight request on a local model. */
export interface LeaseClaim {
  id: string;
  /** This proxy process; all its leases are renewed together and expire if it dies. */
  holder: string;
}

export interface EnsureOptions {
  /** How long the model may take to become ready. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A turn asked for again after the control connection was lost (a supervisor restart). */
export interface TurnOptions extends EnsureOptions {
  /** This proxy holds the turn already (its request runs): count it as active. */
  held?: boolean;
  /** The request was waiting in line this long already (ms): back in line by arrival. */
  waitedMs?: number;
}

/**
 * What the proxy needs from the supervisor. Every failure rejects with a GatewayError carrying
 * a stable code (SUPERVISOR_UNAVAILABLE, MODEL_START_FAILED, ...). The production
 * implementation talks ZeroMQ (see supervisor-adapter.ts); unit tests use a fake.
 */
export interface ModelSupervisor {
  /** The supervisor's last published view of a local model; no round trip. */
  modelInfo(name: string): ModelInfo | undefined;
  /**
   * Makes sure the model is ready (starting it if needed), taking `lease` in the same call;
   * resolves with where it listens (and its process, when the supervisor says).
   */
  ensure(
    model: string,
    lease: LeaseClaim | undefined,
    options: EnsureOptions,
  ): Promise<{ baseUrl: string; pid?: number }>;
  acquireLease(model: string, lease: LeaseClaim): Promise<void>;
  releaseLease(id: string): Promise<void>;
  /**
   * A turn of a model with `maxConcurrent` (supervisor-side line shared by every proxy):
   * resolves with the time waited (ms) once granted; rejects with RATE_LIMITED when refused.
   * Optional: without it the proxy sends without turns.
   */
  acquireTurn?(model: string, turn: LeaseClaim, options: TurnOptions): Promise<number>;
  /** Gives a turn back or leaves the line. */
  releaseTurn?(id: string): Promise<void>;
  /**
   * Calls `listener` each time the control connection comes up (true) or is lost (false), so
   * that turns can be re-declared to a supervisor that restarted; returns the unsubscribe
   * function. Optional: a fake may have no connection.
   */
  onConnection?(listener: (up: boolean) => void): () => void;
  /** Renews every lease (and turn) of `holder`. */
  renewLeases(holder: string): Promise<void>;
  /**
   * Calls `listener` with each model state change the supervisor publishes (for the live
   * events); returns the unsubscribe function. Optional: a fake may have no such feed.
   */
  onModelChange?(listener: (info: ModelInfo) => void): () => void;
  /**
   * The supervisor's figures for /metrics (the `metrics` control command), bounded by the
   * control timeout; rejects when the supervisor does not answer.
   */
  metricsSnapshot?(): Promise<unknown>;
  /**
   * Tells the supervisor that the model's requests stall (the `wedged` command), so that it
   * restarts the model; never rejects. Optional: a fake may not take reports.
   */
  reportWedged?(model: string, reason: string, pid: number | undefined): Promise<void>;
  /**
   * One operator command on the control socket (the dashboard's buttons: start, stop, promote,
   * clear, logs, status), bounded by `timeoutMs` (default: the control timeout). Optional: a
   * fake may have no control socket.
   */
  command?<C extends CommandName>(
    body: Extract<Command, { cmd: C }>,
    timeoutMs?: number,
  ): Promise<CommandResults[C]>;
  /** Whether the supervisor answers right now (bounded by the control timeout). */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}
