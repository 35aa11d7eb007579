import type { Owner } from '@mlx-gateway/protocol';
import type { ModelController } from '../lifecycle/model-controller.js';
import type { SupervisorLogger } from './supervisor.js';

/**
 * Starts every model with `preload: true` as the gateway, without waiting for them: a model
 * that fails to start is logged and stays failed (with its backoff) until a request asks.
 */
export function preloadModels(
  controllers: Iterable<ModelController>,
  ensureReady: (c: ModelController, owner: Owner) => Promise<void>,
  logger: SupervisorLogger,
): void {
  for (const c of controllers) {
    if (c.config.preload !== true) continue;
    ensureReady(c, 'gateway').then(
      () => logger.info({ model: c.name }, 'model preloaded'),
      (err: Error) => logger.warn({ model: c.name, err: err.message }, 'model preload failed'),
    );
  }
}
