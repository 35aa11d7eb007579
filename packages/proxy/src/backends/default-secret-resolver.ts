import { openSecretStore, resolveSecret } from '@mlx-gateway/shared/secrets';
import type { SecretRef } from '@mlx-gateway/shared/config';
import type { SecretStore } from '@mlx-gateway/shared/secrets';
import type { ResolveSecret } from './secret-cache.js';

export interface DefaultSecretResolverOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: openSecretStore(home) (the keychain, else `<home>/secrets.enc`). */
  openStore?: () => Promise<SecretStore>;
}

/**
 * Resolves `${env:NAME}` references from the environment and `${secret:NAME}` references from
 * the gateway's secret store, which is opened on first use only (a gateway with environment
 * keys alone never touches the keychain); a store that failed to open is tried again on the
 * next request. Every value is registered with registerSecret (by resolveSecret) before it is
 * returned, so it is scrubbed from every log line and error of the process from then on.
 */
export function defaultSecretResolver(
  home: string,
  options: DefaultSecretResolverOptions = {},
): ResolveSecret {
  const env = options.env ?? process.env;
  const open = options.openStore ?? (() => openSecretStore(home, { env }));
  let store: Promise<SecretStore> | undefined;
  return async (ref: SecretRef) => {
    if (ref.kind === 'env') return resolveSecret(ref, { env });
    const opening = (store ??= open());
    let opened: SecretStore;
    try {
      opened = await opening;
    } catch (err) {
      if (store === opening) store = undefined;
      throw err;
    }
    return resolveSecret(ref, { store: opened, env });
  };
}
