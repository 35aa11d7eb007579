import type { SecretRef, StateConfig } from '@mlx-gateway/shared/config';
import type { StateStore } from '@mlx-gateway/shared/state';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { ProxyLogger } from '../logging/logger.js';

/**
 * Opens the proxy's state store (`state:`; the embedded one when absent), the Redis password
 * resolved from its reference, and logs every change of its health once.
 */
export async function openProxyState(
  config: StateConfig | undefined,
  resolveSecret: (ref: SecretRef) => Promise<string>,
  logger: ProxyLogger,
): Promise<StateStore> {
  const state = config ?? { keyPrefix: 'mlx-gateway:', whenDown: 'serve' as const };
  const ref = state.redis?.password;
  const password = ref === undefined ? undefined : await resolveSecret(ref);
  const store = await openStateStore(state, password === undefined ? {} : { password });
  store.onHealthChange((health, error) => {
    if (health === 'ok') logger.info({ component: 'state' }, `state store ${store.kind} reachable`);
    else logger.warn({ component: 'state', error }, `state store ${store.kind} unreachable`);
  });
  return store;
}
