import { ErrorCodes, ProtocolError, type ModelInfo } from '@mlx-gateway/protocol';
import type { GatewayConfig, LocalModelConfig } from '@mlx-gateway/shared/config';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';
import type { CurveServerKeys } from '@mlx-gateway/shared/secrets';
import { ZapHandler } from '../curve/zap-handler.js';
import type { TurnTable } from '../leases/turn-table.js';
import { StartFailure } from '../lifecycle/model-controller.js';
import { DEFAULT_PROBE, type LifecycleSettings } from '../lifecycle/model-state.js';

/** What the supervisor logs through (pino in main.ts). */
export interface SupervisorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Authenticates CURVE clients of both sockets against the configured client keys. */
export function zapHandler(curve: CurveServerKeys, logger: SupervisorLogger): ZapHandler {
  return new ZapHandler({
    allowedClientKeys: curve.clientPublicKeys,
    onDenied: (address) =>
      logger.warn({ component: 'control', address }, 'refused a client with an unknown CURVE key'),
    onError: (err) => logger.error({ component: 'control', err }, 'CURVE authentication stopped'),
  });
}

/** A local model's lifecycle settings: its own timeouts and policy, the supervisor's timers. */
export function lifecycleSettings(
  model: LocalModelConfig,
  sv: GatewayConfig['supervisor'],
): LifecycleSettings {
  return {
    startTimeoutMs: model.startTimeoutMs,
    idleTimeoutMs: model.idleTimeoutMs,
    stopGraceMs: sv.stopGraceMs,
    drainTimeoutMs: sv.drainTimeoutMs,
    healthIntervalMs: sv.healthIntervalMs,
    failureBackoff: sv.failureBackoff,
    ...DEFAULT_PROBE,
    pinned: model.pin === true,
  };
}

/** A failed start as the control protocol's error (its code, log tail and retry time); else `err`. */
export function startError(err: unknown, model: string): unknown {
  if (!(err instanceof StartFailure)) return err;
  const { code, message, logTail, retryAt } = err.error;
  return new ProtocolError(code, message, {
    model,
    ...(logTail ? { logTail } : {}),
    ...(retryAt ? { retryAt } : {}),
  });
}

/** The error for a name that is not a local model of the config. */
export function notLocalModel(config: GatewayConfig, name: string): ProtocolError {
  const configured = config.models.find((m) => m.name === name || m.aliases.includes(name));
  if (configured)
    return new ProtocolError(ErrorCodes.MODEL_NOT_LOCAL, `model '${name}' is not a local model`);
  return new ProtocolError(ErrorCodes.MODEL_NOT_FOUND, `model '${name}' is not configured`);
}

/** A model's info with its line of turns (`status` only: events leave it out). */
export function withQueue(info: ModelInfo, turns: TurnTable): ModelInfo {
  const queue = turns.info(info.name);
  return queue === undefined ? info : { ...info, queue };
}

/** Waits for `p`, or `ms` on the clock, whichever comes first. */
export async function withDeadline(clock: Clock, p: Promise<unknown>, ms: number): Promise<void> {
  let timer: Timer | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = clock.timer(ms, r)))]);
  timer?.cancel();
}
