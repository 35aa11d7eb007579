import { join } from 'node:path';
import { SECRET_KEY_ENV, openSecretStore } from '@mlx-gateway/shared/secrets';
import type { SecretStore } from '@mlx-gateway/shared/secrets';
import { storedNames, type StoredNames } from './secret-references.js';

/** The gateway's secret store (the keychain, else `<home>/secrets.enc`), as the proxy opens it. */
export function openGatewayStore(home: string): Promise<SecretStore> {
  return openSecretStore(home);
}

/** Where a store keeps its secrets, for people: never a value. */
export function describeStore(store: SecretStore, home: string): string {
  if (store.kind === 'keychain') return 'the OS keychain (service "mlx-gateway")';
  const key = process.env[SECRET_KEY_ENV] ? SECRET_KEY_ENV : join(home, 'secret.key');
  return `the encrypted file ${join(home, 'secrets.enc')} (key: ${key})`;
}

/** The names in the store, or undefined when it cannot be opened (the reason goes to stderr). */
export async function tryStoredNames(home: string): Promise<StoredNames | undefined> {
  try {
    return await storedNames(await openGatewayStore(home));
  } catch (err) {
    process.stderr.write(
      `mlx-gateway: the secret store cannot be read: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return undefined;
  }
}
