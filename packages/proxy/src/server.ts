import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { resolveCurveClientKeys } from '@mlx-gateway/shared/secrets';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { StateStore } from '@mlx-gateway/shared/state';
import { buildGeneration, rereadConfig } from './build-generation.js';
import { followConfigEvents, type ProxyReload } from './config-follower.js';
import { ProxyGenerations } from './proxy-generations.js';
import { StateResponseStore } from './state/state-response-store.js';
import { openProxyState } from './state/open-proxy-state.js';
import { DEFAULT_RESPONSE_TTL_MS } from './state/response-store.js';
import { ClientKeys } from './auth/client-keys.js';
import { ClientLimiter } from './limits/client-limiter.js';
import { TurnClient } from './leases/turn-client.js';
import { assertListenAllowed } from './auth/listen-policy.js';
import { answerClientError } from './http/client-error.js';
import { serverTimeouts } from './http/server-timeouts.js';
import { SecretCache } from './backends/secret-cache.js';
import type { ResolveSecret } from './backends/secret-cache.js';
import { systemClock } from '@mlx-gateway/shared/clock';
import type { Clock } from '@mlx-gateway/shared/clock';
import { Inflight } from './forwarding/inflight.js';
import { LeaseManager } from './leases/lease-manager.js';
import { silentLogger } from './logging/logger.js';
import type { ProxyLogger } from './logging/logger.js';
import { defaultSecretResolver } from './backends/default-secret-resolver.js';
import { connectSupervisor } from './supervisor/connect-supervisor.js';
import type { ModelSupervisor } from './supervisor/model-supervisor.js';
import type { EventHub } from './events/event-hub.js';
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
  /**
   * Reads the config again for a reload (default: the file `config` came from, listen address
   * kept). Reloads happen on `reloadConfig()` and, with the proxy's own supervisor link, on the
   * supervisor's `config` events.
   */
  readConfig?: () => GatewayConfig;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Reads `<home>/clients.json` again (also done when the file changes; main.ts calls it on SIGHUP). */
  reloadClientKeys(): Promise<void>;
  /**
   * Reads the config again and swaps routes, backends and request limits at once (requests in
   * flight finish on the set they started with); client keys are read again too. Rejects with
   * the ConfigError of an invalid file, and then nothing changed.
   */
  reloadConfig(): Promise<ProxyReload>;
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

/** A reload answers after the models it restarts are ready again (a model load can take minutes). */
const RELOAD_TIMEOUT_MS = 30 * 60_000;

/** What the dashboard (loaded on its first request) works with. */
function dashboardDeps(
  currentConfig: () => GatewayConfig,
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
    // The config in force: a reload swaps it (build-generation.ts).
    get config() {
      return currentConfig();
    },
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
      // A reload answers once changed models have restarted: wait as long as a model start.
      return supervisor.command(command, RELOAD_TIMEOUT_MS);
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
  // Refusals come first, before anything is opened: a non-loopback listen without client keys,
  // an unreadable clients.json, CURVE keys that cannot be resolved.
  const clientKeys = await ClientKeys.open({ home: config.home, logger });
  assertListenAllowed(config.proxy.host, config.proxy.port, clientKeys.required);
  const ownSupervisor = options.supervisor === undefined;
  const curve =
    ownSupervisor && config.supervisor.curve !== undefined
      ? await resolveCurveClientKeys(config.supervisor.curve, { home: config.home })
      : undefined;
  // Set below; the supervisor link compares snapshots with the config in force.
  const inForce: { routes?: ProxyGenerations } = {};
  const supervisor =
    options.supervisor ??
    connectSupervisor(config, logger, curve, () => (inForce.routes?.config ?? config).models);

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
  const inflight = new Inflight();
  // Audit log, metrics and live events (http/observability.ts); each may be switched off.
  const observability = openObservability(config, logger, supervisor, () => inflight.size, state);
  let closing = false;
  const generationParts = {
    logger,
    clock,
    supervisor,
    leases,
    turns: new TurnClient({
      supervisor,
      leases,
      clock,
      controlTimeoutMs: config.proxy.controlTimeoutMs,
      logger,
    }),
    secrets,
    ...(options.createPool ? { createPool: options.createPool } : {}),
    app: {
      inflight,
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
      dashboard: dashboardDeps((): GatewayConfig => routes.config, supervisor, inflight, clock, {
        logger,
        events: observability.appDeps.events,
        resolveSecret,
        clientKeys,
      }),
    },
  };
  // Routes, backends and request limits: one set per config, swapped whole by a reload.
  const routes: ProxyGenerations = new ProxyGenerations(buildGeneration(config, generationParts));
  inForce.routes = routes;
  const readConfig = options.readConfig ?? (() => rereadConfig(routes.config));
  const reloadConfig = async (): Promise<ProxyReload> => {
    if (closing) throw new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the proxy is shutting down');
    const next = readConfig();
    routes.swap(buildGeneration(next, generationParts));
    await clientKeys.reload();
    logger.info({ generation: routes.number }, 'config reloaded');
    return { generation: routes.number };
  };
  const follower = ownSupervisor
    ? followConfigEvents(config, reloadConfig, logger, curve)
    : undefined;

  const server = createServer(serverTimeouts(config.proxy), routes.listener);
  server.on('clientError', answerClientError);
  let address: AddressInfo;
  try {
    address = await listen(server, config.proxy.port, config.proxy.host);
  } catch (err) {
    follower?.close();
    await routes.close();
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
    follower?.close();
    clientKeys.close();
    await closeServer(server, inflight, graceMs, logger);
    // Every record of a request that ended is written before the proxy exits.
    await observability.close();
    await leases.close();
    await routes.close();
    if (stateOpened !== undefined) await (await stateOpened.catch(() => undefined))?.close();
    if (ownSupervisor) await supervisor.close();
  };

  return {
    url,
    port: address.port,
    reloadClientKeys: () => clientKeys.reload(),
    reloadConfig,
    close: () => (closed ??= close()),
  };
}
