import { ConfigSubscriber } from '@mlx-gateway/protocol';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { CurveClientKeys } from '@mlx-gateway/shared/secrets';
import type { ProxyLogger } from './logging/logger.js';

/** The outcome of a proxy reload. */
export interface ProxyReload {
  /** How many route sets this proxy has put in force (1 at start). */
  generation: number;
}

/**
 * Follows the supervisor's `config` events: after each reload it applied, this proxy reads the
 * config file again and swaps its routes (`reload`). Events of an older or the same generation
 * of the same supervisor run are not applied twice; a failed reload keeps the routes in force
 * and is logged.
 */
export function followConfigEvents(
  config: GatewayConfig,
  reload: () => Promise<ProxyReload>,
  logger: ProxyLogger,
  curve?: CurveClientKeys,
): { close(): void } {
  const log = logger.child({ component: 'config-follower' });
  const seen = new Map<string, number>();
  const subscriber = new ConfigSubscriber({
    eventsEndpoint: config.supervisor.eventsEndpoint,
    ...(curve ? { curve } : {}),
    onWarning: (message, fields) => log.warn({ ...fields }, message),
    onConfig: async (event) => {
      if ((seen.get(event.incarnation) ?? 0) >= event.generation) return;
      seen.set(event.incarnation, event.generation);
      try {
        const done = await reload();
        log.info(
          { supervisorGeneration: event.generation, generation: done.generation },
          'followed a config reload of the supervisor',
        );
      } catch (err) {
        log.error({ err }, 'could not follow the config reload; the routes in force are kept');
      }
    },
  });
  try {
    subscriber.start();
  } catch (err) {
    log.warn({ err }, 'cannot follow config reloads of the supervisor');
  }
  return { close: () => subscriber.close() };
}
