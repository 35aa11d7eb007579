import type { GatewayError } from '@mlx-gateway/shared/errors';
import type { Lease, LeaseManager } from '../leases/lease-manager.js';
import type { TurnClient, TurnRelease as SlotRelease } from '../leases/turn-client.js';
import type { Target } from '../routing/target.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import { upstreamOrigin } from '../upstream/upstream-origin.js';
import type { PoolRegistry } from '../upstream/pool-registry.js';
import type { BackendHealth, BackendRequest, PrepareContext, PreparedRequest } from './backend.js';
import { PooledBackend } from './pooled-backend.js';
import { StallCounter } from './stall-counter.js';
import { StartFlights } from './start-flights.js';
import { openAIUpstreamBody } from './upstream-body.js';
import { upstreamHeaders } from './upstream-headers.js';

export interface LocalBackendOptions {
  supervisor: ModelSupervisor;
  leases: LeaseManager;
  pools: PoolRegistry;
  /** The turns of local models with `maxConcurrent` (absent: no model is limited). */
  turns?: TurnClient;
}

/**
 * Models whose processes the supervisor runs. When the model directory says a model is ready,
 * the request goes out at once, holding the model's shared lease (taken in the background when
 * the model has none; while requests to it follow each other, no control message). Otherwise
 * the supervisor is asked to `ensure` the model (starting it if needed) with a lease in the
 * same call, once for all the requests that wait for it, and they go out when it is ready. A refused connection to a model the
 * directory called ready (the directory may be stale) goes through `ensure` once more.
 */
export class LocalBackend extends PooledBackend {
  private readonly supervisor: ModelSupervisor;
  private readonly leases: LeaseManager;
  private readonly turns: TurnClient | undefined;
  /** The model starts in flight, one `ensure` each, that requests wait on. */
  private readonly starts: StartFlights;
  /** Stalled requests in a row per model; reported to the supervisor as wedged. */
  readonly stalls: StallCounter;

  constructor(options: LocalBackendOptions) {
    super(options.pools);
    this.supervisor = options.supervisor;
    this.leases = options.leases;
    this.turns = options.turns;
    this.starts = new StartFlights(options.supervisor, options.leases);
    this.stalls = new StallCounter((model, reason, pid) => {
      void this.supervisor.reportWedged?.(model, reason, pid);
    });
  }

  /**
   * Every request this backend sent ends here (see PreparedRequest.settled). The first-byte
   * budget of a request that had to wait for a cold start was mostly spent on the load, so its
   * timeout says nothing about the model: it neither counts as a stall nor resets the count.
   */
  private readonly onSettled = (
    prepared: PreparedRequest,
    error: GatewayError | undefined,
  ): void => {
    if (prepared.localModel === undefined) return;
    if (prepared.coldStart === true && error !== undefined) return;
    this.stalls.observe(prepared.localModel, error, prepared.localPid);
  };

  /**
   * A model with `maxConcurrent` gives the request its turn first (leases/turn-client.ts, a
   * line at the supervisor shared by every proxy): one round trip when a turn is free, else a
   * wait in line, which the exchange treats like a model start (heartbeats to a streaming
   * client). The turn is held until the request ends.
   */
  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest> {
    const model = req.target.model;
    const turn = model.kind === 'local' ? this.turns?.acquire(model, ctx.signal) : undefined;
    if (turn === undefined) return this.prepareNow(req, ctx);
    return turn.then((release) => holdingSlot(() => this.prepareNow(req, ctx), release));
  }

  private prepareNow(
    req: BackendRequest,
    ctx: PrepareContext,
  ): PreparedRequest | Promise<PreparedRequest> {
    const name = req.target.model.name;
    const info = this.supervisor.modelInfo(name);
    if (info?.state === 'ready' && info.baseUrl !== undefined) {
      const lease = this.leases.hold(name);
      return this.prepared(req, info.baseUrl, info.pid, lease, (retryCtx) =>
        this.ensure(req, retryCtx),
      );
    }
    return this.ensure(req, ctx);
  }

  override health(target: Target): BackendHealth {
    const health = this.supervisorHealth(target);
    const queue = this.turns?.stats(target.model.name);
    if (queue !== undefined) health.queue = queue;
    return health;
  }

  private supervisorHealth(target: Target): BackendHealth {
    const info = this.supervisor.modelInfo(target.model.name);
    if (info === undefined) return { state: 'unknown' };
    const health: BackendHealth = { state: info.state, leases: info.leases };
    if (info.pid !== undefined) health.pid = info.pid;
    if (info.port !== undefined) health.port = info.port;
    if (info.reason !== undefined) health.reason = info.reason;
    return health;
  }

  /**
   * Asks the supervisor to make the model ready, with a lease: one `ensure` per model in flight,
   * the requests that come meanwhile wait for its answer (start-flights.ts). A request that
   * gives up (client gone, timeout) stops waiting at once, but the start goes on for the others
   * and whoever asks next.
   */
  private async ensure(req: BackendRequest, ctx: PrepareContext): Promise<PreparedRequest> {
    const name = req.target.model.name;
    const coldStart = this.supervisor.modelInfo(name)?.state !== 'ready';
    const { baseUrl, pid, lease } = await this.starts.wait(name, ctx.timeoutMs, ctx.signal);
    return { ...this.prepared(req, baseUrl, pid, lease), coldStart };
  }

  private prepared(
    req: BackendRequest,
    baseUrl: string,
    pid: number | undefined,
    lease: Lease,
    retry?: (ctx: PrepareContext) => Promise<PreparedRequest>,
  ): PreparedRequest {
    const where = upstreamOrigin(baseUrl);
    const { body, usageInjected } = openAIUpstreamBody(req);
    const prepared: PreparedRequest = {
      upstream: {
        origin: where.origin,
        path: `${where.basePath}/v1${req.endpoint.upstreamPath}`,
        headers: upstreamHeaders(req.clientHeaders, req.reqId),
        body,
      },
      identity: { model: req.target.name, hosts: [where.hostname] },
      release: () => this.leases.release(lease),
      settled: this.onSettled,
      localPid: pid,
    };
    if (req.target.model.kind === 'local') prepared.localModel = req.target.model;
    if (usageInjected) prepared.usageInjected = true;
    if (retry !== undefined) {
      prepared.retry = (ctx) => {
        this.leases.release(lease);
        return retry(ctx);
      };
    }
    return prepared;
  }
}

/** The prepared request with the slot given back when it ends (or when preparing fails). */
function holdingSlot(
  prepare: () => PreparedRequest | Promise<PreparedRequest>,
  release: SlotRelease,
): PreparedRequest | Promise<PreparedRequest> {
  let prepared: PreparedRequest | Promise<PreparedRequest>;
  try {
    prepared = prepare();
  } catch (err) {
    release();
    throw err;
  }
  if (!(prepared instanceof Promise)) return withSlot(prepared, release);
  return prepared.then(
    (p) => withSlot(p, release),
    (err: unknown) => {
      release();
      throw err;
    },
  );
}

function withSlot(prepared: PreparedRequest, release: SlotRelease): PreparedRequest {
  const held: PreparedRequest = {
    ...prepared,
    release: () => {
      prepared.release();
      release();
    },
  };
  const retry = prepared.retry;
  if (retry !== undefined) {
    // The retry's request ends in its own release; the slot goes with it.
    held.retry = (ctx) => holdingSlot(() => retry(ctx), release) as Promise<PreparedRequest>;
  }
  return held;
}
