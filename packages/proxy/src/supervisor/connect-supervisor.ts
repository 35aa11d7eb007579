import { ErrorCodes, ModelDirectory, SupervisorClient } from '@mlx-gateway/protocol';
import type { GatewayConfig, ModelConfig } from '@mlx-gateway/shared/config';
import type { CurveClientKeys } from '@mlx-gateway/shared/secrets';
import type { ProxyLogger } from '../logging/logger.js';
import type { ModelSupervisor } from './model-supervisor.js';
import { SupervisorAdapter } from './supervisor-adapter.js';
import { configDifferenceMessage, configDifferences } from './config-generation.js';
import { probeControlEndpoint } from './supervisor-liveness.js';

/**
 * Connects to the supervisor's control and event endpoints. Never waits for the supervisor:
 * the proxy starts and serves remote models while it is down, and the client and directory
 * reconnect and resynchronise by themselves when it comes back. With `supervisor.curve`, pass
 * the resolved client keys (resolveCurveClientKeys): both sockets then use CURVE.
 */
export function connectSupervisor(
  config: GatewayConfig,
  logger: ProxyLogger,
  curve?: CurveClientKeys,
  /** The models of the config in force (a reload replaces them); default `config.models`. */
  models: () => readonly ModelConfig[] = () => config.models,
): ModelSupervisor {
  const log = logger.child({ component: 'supervisor-link' });
  const onWarning = (message: string, fields?: Record<string, unknown>): void =>
    log.warn({ ...fields }, message);
  const client = new SupervisorClient({
    endpoint: config.supervisor.controlEndpoint,
    timeoutMs: config.proxy.controlTimeoutMs,
    onWarning,
    ...(curve ? { curve } : {}),
  });
  const directory = new ModelDirectory({
    eventsEndpoint: config.supervisor.eventsEndpoint,
    client,
    snapshotTimeoutMs: config.proxy.controlTimeoutMs,
    onWarning,
    ...(curve ? { curve } : {}),
  });
  client.on('connect', () => log.info({}, 'connected to the supervisor'));
  // Every fresh snapshot (first contact, a new supervisor run) is checked against our config.
  directory.on('resync', (snapshot) => {
    const differences = configDifferences(models(), snapshot);
    const message = configDifferenceMessage(differences);
    if (message !== undefined) log.error({ ...differences }, message);
  });
  client.on('disconnect', () => log.warn({}, 'lost the connection to the supervisor'));
  directory.start().catch((err: unknown) => {
    // Closed before the first snapshot: a shutdown, nothing to report.
    if ((err as { code?: unknown }).code === ErrorCodes.SHUTTING_DOWN) return;
    log.warn({ err }, 'model directory did not start');
  });
  return new SupervisorAdapter({
    client,
    directory,
    controlTimeoutMs: config.proxy.controlTimeoutMs,
    liveness: () => probeControlEndpoint(config.supervisor.controlEndpoint),
    onConfigMismatch: (model, err) =>
      log.error({ model, supervisorCode: err.details?.['supervisorCode'] }, err.message),
  });
}
