import { EventEmitter } from 'node:events';
import * as zmq from 'zeromq';
import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import type { SupervisorClient } from './control-client.js';
import { applyCurveClient } from './curve.js';
import type { CurveClientOptions } from './curve.js';
import { DirectoryState } from './directory-state.js';
import { ErrorCodes, ProtocolError } from './error-codes.js';
import { formatIssues, summarizeIssues } from './format-issues.js';
import type { ModelInfo, Snapshot, SupervisorEvent } from './messages.js';
import { EVENT_TOPIC_MODEL, EventSchema, PROTOCOL_VERSION, SnapshotSchema } from './messages.js';
import { ModelWaiters } from './model-waiters.js';
import { SnapshotWaiters } from './snapshot-waiters.js';
import type { WaitForOptions } from './model-waiters.js';
import { ignoreWarning } from './warning.js';
import type { WarningHandler } from './warning.js';

export interface ModelDirectoryOptions {
  /** The supervisor's event endpoint (PUB). */
  eventsEndpoint: string;
  /** Asks for snapshots (`status`). The directory does not close it. */
  client: SupervisorClient;
  /** Take a fresh snapshot this often even when no gap was seen, ms; 0 disables. Default 30 s. */
  resyncIntervalMs?: number;
  /** `start()` rejects (SUPERVISOR_UNAVAILABLE) when no snapshot applied by then; retries go on. */
  startTimeoutMs?: number;
  /** Deadline of each `status` request, ms; the client's default when unset. */
  snapshotTimeoutMs?: number;
  /** Delay between failed snapshot attempts. Default 100 ms doubling to 5 s. */
  retry?: Partial<BackoffOptions>;
  /** CURVE for a `tcp://` events endpoint. */
  curve?: CurveClientOptions;
  onWarning?: WarningHandler;
}

/**
 * - `change`: a model was added or changed (by an event, or by a snapshot that differs);
 * - `remove`: a fresh snapshot no longer lists a model;
 * - `resync`: a fresh snapshot was applied (the reason says why it was taken).
 */
export interface ModelDirectoryEvents {
  change: [info: ModelInfo];
  remove: [name: string];
  resync: [snapshot: Snapshot, reason: string];
}

/** Snapshot machinery: `fetching` buffers events, `backoff` waits to retry a failed fetch. */
type SyncMode = 'idle' | 'fetching' | 'backoff';

const MAX_BUFFERED_EVENTS = 10_000;

/**
 * A live mirror of the supervisor's models (ZeroMQ guide, "Clone"): subscribe to events first,
 * then take a snapshot over control, then apply only events newer than the snapshot. A gap in
 * the sequence, an event from another supervisor incarnation or a re-established event
 * connection makes it take a fresh snapshot. When the supervisor is unreachable it keeps
 * retrying with backoff; nothing here throws into an event loop or leaves a rejection unhandled.
 */
export class ModelDirectory extends EventEmitter<ModelDirectoryEvents> {
  private readonly state = new DirectoryState();
  private readonly warn: WarningHandler;
  private readonly retry: BackoffOptions;
  private subscriber: zmq.Subscriber | undefined;
  private phase: 'new' | 'running' | 'closed' = 'new';
  private mode: SyncMode = 'idle';
  private buffer: SupervisorEvent[] = [];
  private resyncWanted = false;
  private generation = 0;
  private resyncReason = 'start';
  private attempt = 0;
  private lastFailure: unknown;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private snapshotAbort: AbortController | undefined;
  private readonly snapshotWaiters = new SnapshotWaiters();
  private readonly modelWaiters = new ModelWaiters();

  constructor(private readonly options: ModelDirectoryOptions) {
    super();
    this.warn = options.onWarning ?? ignoreWarning;
    this.retry = { minMs: options.retry?.minMs ?? 100, maxMs: options.retry?.maxMs ?? 5000 };
  }

  /** The supervisor run the mirror comes from; undefined before the first snapshot. */
  get incarnation(): string | undefined {
    return this.state.incarnation;
  }

  /** Sequence number the mirror is current to. */
  get seq(): number {
    return this.state.seq;
  }

  /** Whether a snapshot has been applied. */
  get synced(): boolean {
    return this.state.incarnation !== undefined;
  }

  get(name: string): ModelInfo | undefined {
    return this.state.get(name);
  }

  all(): ModelInfo[] {
    return this.state.all();
  }

  /**
   * Subscribes, then takes the first snapshot. Resolves once it is applied; rejects only after
   * `startTimeoutMs` (the directory keeps retrying in the background until `close()`).
   */
  start(): Promise<void> {
    if (this.phase !== 'new') return Promise.reject(new Error('model directory already started'));
    this.phase = 'running';
    const subscriber = new zmq.Subscriber({
      linger: 0,
      reconnectInterval: 100,
      reconnectMaxInterval: 1000,
      heartbeatInterval: 2000,
      heartbeatTimeout: 6000,
    });
    try {
      if (this.options.curve !== undefined) applyCurveClient(subscriber, this.options.curve);
      subscriber.subscribe(EVENT_TOPIC_MODEL);
      // Events published before our subscription reached the publisher are lost without a
      // trace; a snapshot taken after every (re)connection covers them.
      subscriber.events.on('handshake', () => this.requestResync('event connection established'));
      subscriber.connect(this.options.eventsEndpoint);
    } catch (error) {
      subscriber.close();
      this.phase = 'closed';
      return Promise.reject(error);
    }
    this.subscriber = subscriber;
    void this.receive(subscriber);
    const first = this.waitForSnapshot(1, this.options.startTimeoutMs);
    this.requestResync('start');
    return first;
  }

  /** Takes a fresh snapshot now; resolves when it (or a later one) is applied. */
  refresh(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.phase === 'new') return Promise.reject(new Error('model directory not started'));
    if (this.phase === 'closed') return Promise.reject(closedError());
    const done = this.waitForSnapshot(this.generation + 1, options.timeoutMs);
    this.requestResync('refresh', true);
    return done;
  }

  /**
   * Resolves with the model's info once `predicate` holds for it (at once if it already does);
   * rejects with SUPERVISOR_TIMEOUT after `timeoutMs`, SHUTTING_DOWN on close, or the signal's
   * reason on abort.
   */
  waitFor(
    name: string,
    predicate: (info: ModelInfo) => boolean,
    options: WaitForOptions,
  ): Promise<ModelInfo> {
    if (this.phase === 'closed') return Promise.reject(closedError());
    return this.modelWaiters.wait(name, predicate, options, (model) => this.state.get(model));
  }

  /** Stops everything; pending `start`, `refresh` and `waitFor` calls reject with SHUTTING_DOWN. */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.retryTimer);
    clearTimeout(this.resyncTimer);
    this.snapshotAbort?.abort();
    this.subscriber?.close();
    this.buffer = [];
    const error = closedError();
    this.snapshotWaiters.rejectAll(error);
    this.modelWaiters.cancelAll(error);
  }

  private async receive(subscriber: zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of subscriber) this.onFrames(frames);
    } catch (error) {
      if (this.phase === 'running') this.warn('event subscriber stopped receiving', { err: error });
    }
  }

  private onFrames(frames: Buffer[]): void {
    const [topic, payload] = frames;
    if (
      topic?.toString('utf8') !== EVENT_TOPIC_MODEL ||
      payload === undefined ||
      frames.length !== 2
    ) {
      this.warn('ignored a malformed supervisor event', { reason: `${frames.length} frames` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.warn('ignored a malformed supervisor event', { reason: 'not JSON' });
      return;
    }
    const parsed = EventSchema.safeParse(json);
    if (!parsed.success) {
      this.warn('ignored a malformed supervisor event', {
        reason: formatIssues(summarizeIssues(parsed.error.issues)),
      });
      return;
    }
    if (parsed.data.v !== PROTOCOL_VERSION) {
      this.warn('ignored a supervisor event of another protocol version', {
        received: parsed.data.v,
        supported: PROTOCOL_VERSION,
      });
      return;
    }
    this.onEvent(parsed.data);
  }

  private onEvent(event: SupervisorEvent): void {
    if (this.phase !== 'running') return;
    if (this.mode === 'fetching') {
      if (this.buffer.length < MAX_BUFFERED_EVENTS) {
        this.buffer.push(event);
      } else {
        // Dropping events opens a gap; one more snapshot after this one closes it.
        this.buffer = [];
        this.resyncWanted = true;
      }
      return;
    }
    // While backing off, the coming snapshot will contain whatever arrives now.
    if (this.mode === 'backoff') return;
    switch (this.state.classify(event)) {
      case 'apply':
        this.changed(this.state.apply(event));
        return;
      case 'gap':
        this.requestResync(`missed events ${this.state.seq + 1} to ${event.seq - 1}`);
        return;
      case 'incarnation':
        this.requestResync(`new supervisor incarnation ${event.incarnation}`);
        return;
      case 'stale':
      case 'unsynced':
        return;
    }
  }

  /** Starts a snapshot fetch, or remembers that one is wanted when one is in flight. */
  private requestResync(reason: string, hurry = false): void {
    if (this.phase !== 'running') return;
    if (this.mode === 'fetching') {
      this.resyncWanted = true;
      this.resyncReason = reason;
      return;
    }
    if (this.mode === 'backoff' && !hurry) return;
    this.resyncReason = reason;
    clearTimeout(this.retryTimer);
    clearTimeout(this.resyncTimer);
    this.retryTimer = undefined;
    this.resyncTimer = undefined;
    this.mode = 'fetching';
    this.resyncWanted = false;
    this.buffer = [];
    this.generation += 1;
    void this.fetchSnapshot(this.generation, this.resyncReason);
  }

  private async fetchSnapshot(generation: number, reason: string): Promise<void> {
    const abort = new AbortController();
    this.snapshotAbort = abort;
    let snapshot: Snapshot;
    try {
      const result = await this.options.client.request(
        { cmd: 'status' },
        { signal: abort.signal, timeoutMs: this.options.snapshotTimeoutMs },
      );
      const parsed = SnapshotSchema.safeParse(result);
      if (!parsed.success) {
        throw new ProtocolError(
          ErrorCodes.BAD_MESSAGE,
          `the supervisor's snapshot is malformed: ${formatIssues(summarizeIssues(parsed.error.issues))}`,
        );
      }
      snapshot = parsed.data;
    } catch (error) {
      if (this.phase === 'running') this.snapshotFailed(error);
      return;
    } finally {
      if (this.snapshotAbort === abort) this.snapshotAbort = undefined;
    }
    if (this.phase === 'running') this.applySnapshot(snapshot, generation, reason);
  }

  private snapshotFailed(error: unknown): void {
    this.lastFailure = error;
    this.mode = 'backoff';
    this.buffer = [];
    this.resyncWanted = false;
    const delayMs = backoffDelay(this.attempt, this.retry);
    this.attempt += 1;
    this.warn('could not get a snapshot from the supervisor; retrying', {
      err: error,
      attempt: this.attempt,
      retryInMs: delayMs,
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.mode = 'idle';
      this.requestResync(this.resyncReason);
    }, delayMs);
  }

  private applySnapshot(snapshot: Snapshot, generation: number, reason: string): void {
    const diff = this.state.applySnapshot(snapshot);
    const buffered = this.buffer;
    this.buffer = [];
    this.mode = 'idle';
    this.attempt = 0;
    this.lastFailure = undefined;
    for (const name of diff.removed) this.emitSafely('remove', name);
    for (const model of diff.changed) this.changed(model);
    this.emitSafely('resync', snapshot, reason);
    this.snapshotWaiters.applied(generation);
    // Events that arrived while the snapshot was on its way: the seq filter drops those it
    // already contains and applies the newer ones, or finds a gap and fetches again.
    for (const event of buffered) this.onEvent(event);
    if (this.mode !== 'idle') return;
    if (this.resyncWanted) {
      this.requestResync(this.resyncReason);
      return;
    }
    const intervalMs = this.options.resyncIntervalMs ?? 30_000;
    if (intervalMs > 0) {
      this.resyncTimer = setTimeout(() => this.requestResync('periodic'), intervalMs);
      this.resyncTimer.unref();
    }
  }

  private changed(info: ModelInfo): void {
    this.emitSafely('change', info);
    this.modelWaiters.offer(info);
  }

  /** Settles when a snapshot of `generation` or later is applied; rejects after `timeoutMs`. */
  private waitForSnapshot(generation: number, timeoutMs: number | undefined): Promise<void> {
    return this.snapshotWaiters.wait(generation, timeoutMs, () =>
      this.unavailableSince(timeoutMs ?? 0),
    );
  }

  private unavailableSince(timeoutMs: number): ProtocolError {
    const last =
      this.lastFailure instanceof Error ? `; last error: ${this.lastFailure.message}` : '';
    return new ProtocolError(
      ErrorCodes.SUPERVISOR_UNAVAILABLE,
      `no snapshot from the supervisor within ${timeoutMs} ms${last} (still retrying)`,
      { timeoutMs, eventsEndpoint: this.options.eventsEndpoint },
    );
  }

  private emitSafely<K extends keyof ModelDirectoryEvents>(
    event: K,
    ...args: ModelDirectoryEvents[K]
  ): void {
    try {
      // The cast bridges a typed tuple to EventEmitter's generic rest parameter.
      (this.emit as (event: K, ...args: ModelDirectoryEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.warn(`a '${event}' listener of the model directory threw`, { err: error });
    }
  }
}

function closedError(): ProtocolError {
  return new ProtocolError(ErrorCodes.SHUTTING_DOWN, 'the model directory was closed');
}
