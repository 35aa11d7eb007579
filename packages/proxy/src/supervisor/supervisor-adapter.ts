import { ErrorCodes } from '@mlx-gateway/protocol';
import type {
  Command,
  CommandName,
  CommandResults,
  ModelInfo,
  RequestOptions,
} from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared/errors';
import type {
  EnsureOptions,
  LeaseClaim,
  ModelSupervisor,
  TurnOptions,
} from './model-supervisor.js';
import { backoffError, configMismatchError } from './supervisor-errors.js';
import type { Liveness } from './supervisor-liveness.js';

/** The parts of SupervisorClient the adapter uses. */
export interface ControlClient {
  readonly connected: boolean;
  request<C extends CommandName>(
    body: Extract<Command, { cmd: C }>,
    options?: RequestOptions,
  ): Promise<CommandResults[C]>;
  on(event: 'connect' | 'disconnect', listener: () => void): unknown;
  once(event: 'connect', listener: () => void): unknown;
  off(event: 'connect' | 'disconnect', listener: () => void): unknown;
  close(): void;
}

/** The parts of ModelDirectory the adapter uses. */
export interface ModelView {
  get(name: string): ModelInfo | undefined;
  on?(event: 'change', listener: (info: ModelInfo) => void): unknown;
  off?(event: 'change', listener: (info: ModelInfo) => void): unknown;
  close(): void;
}

export interface SupervisorAdapterOptions {
  client: ControlClient;
  directory: ModelView;
  /** Deadline of control calls other than a model start, and of waiting for a connection. */
  controlTimeoutMs: number;
  /** Told when the supervisor does not know a model of the proxy's config (for the log). */
  onConfigMismatch?: (model: string, err: GatewayError) => void;
  /** Epoch ms, for the seconds until a backoff ends (default Date.now). */
  now?: () => number;
  /**
   * Asked while the control connection is down: 'gone' when the supervisor cannot be running
   * (see probeControlEndpoint), so that a request fails at once. Default: always 'maybe'.
   */
  liveness?: () => Promise<Liveness>;
}

const UNAVAILABLE_MESSAGE =
  'the model supervisor is not reachable, so local models cannot be started or reached; start it with `mlx-gateway up`';

const GONE_MESSAGE =
  'the model supervisor is not running (nothing listens on its control socket), so local models cannot be started or reached; start it with `mlx-gateway up`';

function unavailable(cause?: unknown, message = UNAVAILABLE_MESSAGE): GatewayError {
  return new GatewayError(ErrorCodes.SUPERVISOR_UNAVAILABLE, message, { cause });
}

/** Supervisor failures as the proxy reports them; the socket endpoint stays out of messages. */
function toGatewayError(err: unknown): GatewayError {
  const converted = errorFrom(err);
  return converted.code === ErrorCodes.SUPERVISOR_UNAVAILABLE ? unavailable(err) : converted;
}

/**
 * ModelSupervisor over the ZeroMQ protocol: the model directory (a live mirror of the
 * supervisor's state) answers `modelInfo` without a round trip; commands go through the
 * control client. The client waits for a connection up to a request's deadline, which for a
 * model start can be minutes, so `ensure` first makes sure the supervisor is connected within
 * the control timeout: with the supervisor down, requests fail in seconds, not minutes. They
 * fail at once when the supervisor is known to be gone: its socket file is missing or refuses
 * connections, or the last wait for a connection already ran out and none came since (so an
 * outage costs one control timeout, not one per request). A connected client takes none of
 * these checks.
 */
export class SupervisorAdapter implements ModelSupervisor {
  private readonly client: ControlClient;
  private readonly directory: ModelView;
  private readonly controlTimeoutMs: number;
  private readonly onConfigMismatch: (model: string, err: GatewayError) => void;
  private readonly now: () => number;
  private readonly liveness: () => Promise<Liveness>;
  /** A wait for the connection ran out and no connection came since. */
  private outage = false;
  private readonly onConnect = (): void => {
    this.outage = false;
  };

  constructor(options: SupervisorAdapterOptions) {
    this.client = options.client;
    this.directory = options.directory;
    this.controlTimeoutMs = options.controlTimeoutMs;
    this.onConfigMismatch = options.onConfigMismatch ?? (() => {});
    this.now = options.now ?? Date.now;
    this.liveness = options.liveness ?? (() => Promise.resolve('maybe'));
    this.client.on('connect', this.onConnect);
  }

  modelInfo(name: string): ModelInfo | undefined {
    return this.directory.get(name);
  }

  async ensure(
    model: string,
    lease: LeaseClaim | undefined,
    options: EnsureOptions,
  ): Promise<{ baseUrl: string; pid?: number }> {
    await this.connected(options.signal);
    try {
      const body: Extract<Command, { cmd: 'ensure' }> =
        lease === undefined ? { cmd: 'ensure', model } : { cmd: 'ensure', model, lease };
      const requestOptions: RequestOptions = { timeoutMs: options.timeoutMs };
      if (options.signal !== undefined) requestOptions.signal = options.signal;
      const info = await this.client.request(body, requestOptions);
      return info.pid === undefined
        ? { baseUrl: info.baseUrl }
        : { baseUrl: info.baseUrl, pid: info.pid };
    } catch (err) {
      if (options.signal?.aborted && err === options.signal.reason) throw err;
      throw this.ensureError(toGatewayError(err), model);
    }
  }

  /** An ensure failure as the client should read it (see supervisor-errors.ts). */
  private ensureError(err: GatewayError, model: string): GatewayError {
    if (err.code === ErrorCodes.MODEL_BACKOFF) return backoffError(err, model, this.now());
    if (err.code === ErrorCodes.MODEL_NOT_FOUND || err.code === ErrorCodes.MODEL_NOT_LOCAL) {
      const mismatch = configMismatchError(err, model);
      this.onConfigMismatch(model, mismatch);
      return mismatch;
    }
    return err;
  }

  async acquireLease(model: string, lease: LeaseClaim): Promise<void> {
    await this.control({ cmd: 'lease.acquire', model, id: lease.id, holder: lease.holder });
  }

  async releaseLease(id: string): Promise<void> {
    try {
      await this.control({ cmd: 'lease.release', id });
    } catch (err) {
      if ((err as GatewayError).code !== ErrorCodes.LEASE_NOT_FOUND) throw err;
    }
  }

  /** Like `ensure`, fails within the control timeout when the supervisor is not connected. */
  async acquireTurn(model: string, turn: LeaseClaim, options: TurnOptions): Promise<number> {
    await this.connected(options.signal);
    const body: Extract<Command, { cmd: 'turn.acquire' }> = {
      cmd: 'turn.acquire',
      model,
      id: turn.id,
      holder: turn.holder,
    };
    if (options.held === true) body.held = true;
    if (options.waitedMs !== undefined) body.waitedMs = Math.round(options.waitedMs);
    const requestOptions: RequestOptions = { timeoutMs: options.timeoutMs };
    if (options.signal !== undefined) requestOptions.signal = options.signal;
    try {
      return (await this.client.request(body, requestOptions)).waitedMs;
    } catch (err) {
      if (options.signal?.aborted && err === options.signal.reason) throw err;
      throw toGatewayError(err);
    }
  }

  async releaseTurn(id: string): Promise<void> {
    await this.control({ cmd: 'turn.release', id });
  }

  onConnection(listener: (up: boolean) => void): () => void {
    const up = (): void => listener(true);
    const down = (): void => listener(false);
    this.client.on('connect', up);
    this.client.on('disconnect', down);
    return () => {
      this.client.off('connect', up);
      this.client.off('disconnect', down);
    };
  }

  async renewLeases(holder: string): Promise<void> {
    await this.control({ cmd: 'lease.renew', holder });
  }

  async reportWedged(model: string, reason: string, pid: number | undefined): Promise<void> {
    try {
      await this.control(
        pid === undefined
          ? { cmd: 'wedged', model, reason }
          : { cmd: 'wedged', model, reason, pid },
      );
    } catch {
      // The supervisor is away: the next stalls report again.
    }
  }

  onModelChange(listener: (info: ModelInfo) => void): () => void {
    this.directory.on?.('change', listener);
    return () => this.directory.off?.('change', listener);
  }

  async metricsSnapshot(): Promise<unknown> {
    if (!this.client.connected) throw unavailable();
    return this.control({ cmd: 'metrics' });
  }

  async command<C extends CommandName>(
    body: Extract<Command, { cmd: C }>,
    timeoutMs?: number,
  ): Promise<CommandResults[C]> {
    if (!this.client.connected) throw unavailable();
    try {
      return await this.client.request(body, { timeoutMs: timeoutMs ?? this.controlTimeoutMs });
    } catch (err) {
      throw toGatewayError(err);
    }
  }

  async reachable(): Promise<boolean> {
    if (!this.client.connected) return false;
    try {
      await this.control({ cmd: 'ping' });
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.client.off('connect', this.onConnect);
    this.directory.close();
    this.client.close();
    return Promise.resolve();
  }

  private async control<C extends CommandName>(
    body: Extract<Command, { cmd: C }>,
  ): Promise<CommandResults[C]> {
    try {
      return await this.client.request(body, { timeoutMs: this.controlTimeoutMs });
    } catch (err) {
      throw toGatewayError(err);
    }
  }

  /**
   * Resolves once the control connection is up; SUPERVISOR_UNAVAILABLE at once when the
   * supervisor is known to be gone, else after the control timeout.
   */
  private async connected(signal: AbortSignal | undefined): Promise<void> {
    if (this.client.connected) return;
    if (signal?.aborted) throw signal.reason as Error;
    if (this.outage) throw unavailable();
    if ((await this.liveness()) === 'gone' && !this.client.connected) {
      throw unavailable(undefined, GONE_MESSAGE);
    }
    if (this.client.connected) return;
    await this.waitForConnection(signal);
  }

  private waitForConnection(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('connect', onConnect);
        signal?.removeEventListener('abort', onAbort);
      };
      const onConnect = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        done();
        this.outage = !this.client.connected;
        reject(unavailable());
      }, this.controlTimeoutMs);
      this.client.once('connect', onConnect);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
