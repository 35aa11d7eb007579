import { randomBytes } from 'node:crypto';
import { EncryptedFileStore, SECRET_KEY_ENV } from './encrypted-file-store.js';
import { KEYCHAIN_SERVICE, KeychainStore } from './keychain-store.js';
import { systemKeyring, type KeyringBackend } from './keyring-backend.js';
import type { SecretStore } from './secret-store.js';

export interface OpenSecretStoreOptions {
  env?: NodeJS.ProcessEnv;
  preferKeychain?: boolean;
  /** The OS keyring; tests inject a fake. */
  keyring?: KeyringBackend;
  /** Told why the keychain was not used (no value is ever part of the reason). */
  onKeychainUnavailable?: (reason: string) => void;
}

/**
 * Checks that the keychain really works here (set, read back, delete a throw-away entry).
 * On Linux without a Secret Service, @napi-rs/keyring throws "Couldn't access platform
 * storage"; that, a missing native binary or a wrong read-back all count as unavailable.
 */
export async function probeKeychain(
  keyring: KeyringBackend,
  service = KEYCHAIN_SERVICE,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const account = `__probe__${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  try {
    await keyring.set(service, account, value);
    const back = await keyring.get(service, account);
    const deleted = await keyring.delete(service, account);
    if (back !== value) return { ok: false, reason: 'the keychain did not return what was stored' };
    if (!deleted) return { ok: false, reason: 'the keychain did not delete the probe entry' };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Picks where secrets live:
 * - the encrypted file when it already holds secrets (they stay where they were put),
 *   when MLX_GATEWAY_SECRET_KEY is set (an explicit choice for headless hosts), or when
 *   `preferKeychain` is false;
 * - otherwise the OS keychain if a probe succeeds, else the encrypted file.
 */
export async function openSecretStore(
  home: string,
  options: OpenSecretStoreOptions = {},
): Promise<SecretStore> {
  const env = options.env ?? process.env;
  const keyFromEnv = env[SECRET_KEY_ENV];
  const fileStore = new EncryptedFileStore(home, keyFromEnv ? { keyFromEnv } : {});
  if (options.preferKeychain === false) return fileStore;
  if (keyFromEnv) return fileStore;
  if (await fileStore.hasSecrets()) return fileStore;
  const keyring = options.keyring ?? systemKeyring();
  const probe = await probeKeychain(keyring);
  if (probe.ok) return new KeychainStore({ keyring });
  options.onKeychainUnavailable?.(probe.reason);
  return fileStore;
}
