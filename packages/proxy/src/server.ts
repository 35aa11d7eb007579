import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { RouteTable } from '@mlx-gateway/shared/config';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { resolveCurveClientKeys } from '@mlx-gateway/shared/secrets';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { StateStore } from '@mlx-gateway/shared/state';
import { createRequestListener } from './app.js';
import { StateResponseStore } from './state/state-response-store.js';
import { openProxyState } from './state/open-proxy-state.js';
import { DEFAULT_RESPONSE_TTL_MS } from './state/response-store.js';
import { ClientKeys } from './auth/client-keys.js';
import { ClientLimiter } from './limits/client-limiter.js';
import { ModelQueues } from './limits/model-queue.js';
import { assertListenAllowed } from './auth/listen-policy.js';
import { answerClientError } from './http/client-error.js';
import { serverTimeouts } from './http/server-timeouts.js';
import { AnthropicBackend } from './backends/anthropic-backend.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { LocalBackend } from './backends/local-backend.js';
import { OpenAIBackend } from './backends/openai-backend.js';
import { SecretCache } from './backends/secret-cache.js';
import type { ResolveSecret } from './backends/secret-cache.js';
import { systemClock } from '@mlx-gateway/shared/clock';
import type { Clock } from '@mlx-gateway/shared/clock';
import { Inflight } from './forwarding/inflight.js';
import { LeaseManager } from './leases/lease-manager.js';
import { silentLogger } from './logging/logger.js';
import type { ProxyLogger } from './logging/logger.js';
import { ModelRouter } from './routing/model-router.js';
import { defaultSecretResolver } from './backends/default-secret-resolver.js';
import { connectSupervisor } from './supervisor/connect-supervisor.js';
import type { ModelSupervisor } from './supervisor/model-supervisor.js';
import { PoolRegistry } from './upstream/pool-registry.js';
import type { EventHub } from './events/event-hub.js';
import { remoteEndpoints } from './upstream/remote-endpoints.js';
import { openObservability } from './http/observability.js';
import { operatorKeySource } from './dashboard/operator-key.js';
import type { DashboardDeps } from './dashboard/dashboard-deps.js';

export interface StartProxyOptions {
  config: GatewayConfig;
  /** Default: connects to the supervisor's control and event endpoints from the config. */
  supervisor?: ModelSupervisor;
  logger?: ProxyLogger;
  /** Default: environment variables and the gateway's secret store. */
  resolveSecret?: ResolveSecret;
  clock?: Clock;
  /** How long `close()` lets requests in flight finish before ending them. Default 5 s. */
  shutdownGraceMs?: number;
  /** Wall-clock milliseconds for the limit windows (tests move it). Default Date.now. */
  wallClock?: () => number;
  /** Builds upstream connection pools (tests observe them). */
  createPool?: (origin: string, options: Pool.Options) => Dispatcher;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Reads `<home>/clients.json` again (also done when the file changes; main.ts calls it on SIGHUP). */
  reloadClientKeys(): Promise<void>;
  /** Stops accepting, lets requests finish (up to the grace), releases leases, closes everything. */
  close(): Promise<void>;
}

/** How long resolved upstream secrets are reused before being read again. */
const SECRET_TTL_MS = 60_000;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** undici pools per upstream origin, behind the SSRF guard. */
function openPools(
  config: GatewayConfig,
  logger: ProxyLogger,
  createPool: StartProxyOptions['createPool'],
): PoolRegistry {
  const connectTimeoutMs = Math.max(
    10_000,
    ...config.models.map((m) => m.timeouts.connectMs),
    ...(config.providers ?? []).map((p) => p.timeouts.connectMs),
  );
  const poolOptions = {
    remotes: remoteEndpoints(config),
    onConnectRefused: (origin: string, reason: string) =>
      logger.warn({ origin, reason }, 'upstream connection refused by the SSRF policy'),
    connections: config.proxy.pool.connections,
    keepAliveTimeoutMs: config.proxy.pool.keepAliveTimeoutMs,
    connectTimeoutMs,
  };
  return new PoolRegistry(createPool === undefined ? poolOptions : { ...poolOptions, createPool });
}

/** Stops accepting, lets requests in flight finish (up to `graceMs`), then cuts what is left. */
async function closeServer(
  server: Server,
  inflight: Inflight,
  graceMs: number,
  logger: ProxyLogger,
): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (!(await inflight.drain(graceMs))) {
    logger.warn({ requests: inflight.size }, 'ending requests still running at shutdown');
    await inflight.stopAll(
      new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the gateway proxy is shutting down'),
    );
  }
  // Connections whose last response is still flushing get a moment, then are cut.
  server.closeIdleConnections();
  let cut: NodeJS.Timeout | undefined;
  await Promise.race([
    serverClosed,
    new Promise<void>((resolve) => {
      cut = setTimeout(resolve, 1_000);
    }),
  ]);
  clearTimeout(cut);
  server.closeAllConnections();
  await serverClosed;
}

/** What the dashboard (loaded on its first request) works with. */
function dashboardDeps(
  config: GatewayConfig,
  supervisor: ModelSupervisor,
  inflight: Inflight,
  clock: Clock,
  more: {
    logger: ProxyLogger;
    events: EventHub | undefined;
    resolveSecret: ResolveSecret;
    clientKeys: ClientKeys;
  },
): DashboardDeps {
  const deps: DashboardDeps = {
    config,
    supervisor,
    inflight,
    clock,
    logger: more.logger,
    operatorKey: operatorKeySource(more.resolveSecret),
    isClientKey: (presented) => more.clientKeys.verify(presented) !== undefined,
    sendReload: (command) => {
      if (supervisor.command === undefined) {
        return Promise.reject(new Error('this proxy has no supervisor control connection'));
      }
      // Issue 13 adds `reload` to the protocol's commands; until then the command is sent as
      // the dashboard declares it (dashboard-deps.ts) and an older supervisor refuses it.
      return supervisor.command(command as unknown as Parameters<typeof supervisor.command>[0]);
    },
  };
  if (more.events !== undefined) deps.events = more.events;
  return deps;
}

/**
 * Starts the proxy on config.proxy.host:port (port 0: the OS picks one; `port` tells which).
 * Long on purpose: the composition root, where every part is built once, in order.
 */
export async function startProxy(options: StartProxyOptions): Promise<RunningProxy> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const graceMs = options.shutdownGraceMs ?? 5_000;
  const router = new ModelRouter(new RouteTable(config.models, config));
  // Refusals come first, before anything is opened: a non-loopback listen without client keys,
  // an unreadable clients.json, CURVE keys that cannot be resolved.
  const clientKeys = await ClientKeys.open({ home: config.home, logger });
  assertListenAllowed(config.proxy.host, config.proxy.port, clientKeys.required);
  const ownSupervisor = options.supervisor === undefined;
  const curve =
    ownSupervisor && config.supervisor.curve !== undefined
      ? await resolveCurveClientKeys(config.supervisor.curve, { home: config.home })
      : undefined;
  const supervisor = options.supervisor ?? connectSupervisor(config, logger, curve);

  const pools = openPools(config, logger, options.createPool);
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: Math.max(1_000, Math.floor(config.supervisor.leaseTtlMs / 3)),
    logger,
    clock,
  });
  const resolveSecret = options.resolveSecret ?? defaultSecretResolver(config.home);
  const secrets = new SecretCache(resolveSecret, SECRET_TTL_MS, clock);
  // The shared state (stored responses, client-key limits), opened on first use.
  let stateOpened: Promise<StateStore> | undefined;
  const state = (): Promise<StateStore> =>
    (stateOpened ??= openProxyState(config.state, resolveSecret, logger));
  const backends = new BackendRegistry(
    new LocalBackend({ supervisor, leases, pools, queues: new ModelQueues(clock) }),
    new OpenAIBackend({ pools, secrets }),
    new AnthropicBackend({ pools, secrets }),
  );
  const inflight = new Inflight();
  // Audit log, metrics and live events (http/observability.ts); each may be switched off.
  const observability = openObservability(config, logger, supervisor, () => inflight.size);
  let closing = false;
  const listener = createRequestListener({
    router,
    backends,
    supervisor,
    inflight,
    clock,
    logger,
    bodyLimitBytes: config.proxy.bodyLimitBytes,
    maxJsonDepth: config.proxy.maxJsonDepth,
    bodyTimeoutMs: config.proxy.bodyTimeoutMs,
    heartbeatMs: config.proxy.heartbeatMs,
    clientKeys,
    isClosing: () => closing,
    limits: new ClientLimiter({
      state,
      whenDown: config.state?.whenDown ?? 'serve',
      connectWaitMs: config.state?.redis?.commandTimeoutMs ?? 250,
      logger,
      ...(options.wallClock === undefined ? {} : { now: options.wallClock }),
    }),
    responseStore: new StateResponseStore(
      state,
      config.responses?.ttlMs ?? DEFAULT_RESPONSE_TTL_MS,
    ),
    ...observability.appDeps,
    dashboard: dashboardDeps(config, supervisor, inflight, clock, {
      logger,
      events: observability.appDeps.events,
      resolveSecret,
      clientKeys,
    }),
  });

  const server = createServer(serverTimeouts(config.proxy), listener);
  server.on('clientError', answerClientError);
  let address: AddressInfo;
  try {
    address = await listen(server, config.proxy.port, config.proxy.host);
  } catch (err) {
    await observability.close();
    await leases.close();
    if (ownSupervisor) await supervisor.close();
    throw err;
  }
  clientKeys.watch();
  const url = urlOf(config.proxy.host, address.port);

  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    closing = true;
    clientKeys.close();
    await closeServer(server, inflight, graceMs, logger);
    // Every record of a request that ended is written before the proxy exits.
    await observability.close();
    await leases.close();
    await pools.close(1_000);
    if (stateOpened !== undefined) await (await stateOpened.catch(() => undefined))?.close();
    if (ownSupervisor) await supervisor.close();
  };

  return {
    url,
    port: address.port,
    reloadClientKeys: () => clientKeys.reload(),
    close: () => (closed ??= close()),
  };
}
