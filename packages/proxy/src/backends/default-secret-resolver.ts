import { openSecretStore, resolveSecret } from '@mlx-gateway/shared';
import type { SecretRef, SecretStore } from '@mlx-gateway/shared';
import type { ResolveSecret } from './secret-cache.js';

/**
 * Resolves `${env:NAME}` references from the environment and `${secret:NAME}` references from
 * the gateway's secret store, which is opened on first use only (a gateway with environment
 * keys alone never touches the keychain).
 */
export function defaultSecretResolver(home: string): ResolveSecret {
  let store: Promise<SecretStore> | undefined;
  return async (ref: SecretRef) => {
    if (ref.kind === 'env') return resolveSecret(ref);
    store ??= openSecretStore(home);
    return resolveSecret(ref, { store: await store });
  };
}
