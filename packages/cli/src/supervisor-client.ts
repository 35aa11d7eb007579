import { SupervisorClient } from '@mlx-gateway/protocol';
import { resolveCurveClientKeys } from '@mlx-gateway/shared/secrets';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { CurveClientKeys } from '@mlx-gateway/shared/secrets';

const resolved = new WeakMap<GatewayConfig, Promise<CurveClientKeys | undefined>>();

/** The client's CURVE keys when `supervisor.curve` is set, resolved once per config. */
export function curveClientKeys(config: GatewayConfig): Promise<CurveClientKeys | undefined> {
  let keys = resolved.get(config);
  if (keys === undefined) {
    const curve = config.supervisor.curve;
    keys =
      curve === undefined
        ? Promise.resolve(undefined)
        : resolveCurveClientKeys(curve, { home: config.home });
    resolved.set(config, keys);
  }
  return keys;
}

/** A control client for the configured endpoint, with the CURVE client keys when configured. */
export async function openSupervisorClient(
  config: GatewayConfig,
  timeoutMs: number,
): Promise<SupervisorClient> {
  const curve = await curveClientKeys(config);
  return new SupervisorClient({
    endpoint: config.supervisor.controlEndpoint,
    timeoutMs,
    ...(curve ? { curve } : {}),
  });
}
