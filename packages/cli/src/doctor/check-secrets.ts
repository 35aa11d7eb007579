import { openSecretStore } from '@mlx-gateway/shared/secrets';
import { describeStore } from '../secret-store.js';
import { fail, ok, warn, type Finding } from './finding.js';

const CHECK = 'secrets';

/**
 * The secret store the proxy would open: the OS keychain when it works, else the encrypted
 * file (fine on a headless host, said as a warning so that nobody is surprised), and that it
 * can be read.
 */
export async function checkSecrets(home: string): Promise<Finding[]> {
  let keychainReason: string | undefined;
  try {
    const store = await openSecretStore(home, {
      onKeychainUnavailable: (reason) => (keychainReason = reason),
    });
    const names = await store.list();
    const where = describeStore(store, home);
    const held = `${names.length} secret${names.length === 1 ? '' : 's'} stored`;
    if (store.kind === 'keychain') return [ok(CHECK, `${where} is usable (${held})`)];
    if (keychainReason !== undefined) {
      return [
        warn(
          CHECK,
          `the OS keychain is not usable here (${keychainReason}); secrets go to ${where} (${held})`,
          'fine on a headless host; on a desktop, unlock the keychain / start a Secret Service (gnome-keyring) to use it',
        ),
      ];
    }
    return [ok(CHECK, `${where} is usable (${held})`)];
  } catch (err) {
    return [
      fail(
        CHECK,
        `the secret store cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        'check the files named above (mode 0600, yours) and MLX_GATEWAY_SECRET_KEY; `mlx-gateway keys list` shows the same error',
      ),
    ];
  }
}
