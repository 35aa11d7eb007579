export type { SecretStore } from './secret-store.js';
export type { KeyringBackend } from './keyring-backend.js';
export { KeychainStore, KEYCHAIN_SERVICE } from './keychain-store.js';
export { EncryptedFileStore, SECRET_KEY_ENV } from './encrypted-file-store.js';
export { openSecretStore, probeKeychain } from './open-secret-store.js';
export type { OpenSecretStoreOptions } from './open-secret-store.js';
export { resolveSecret } from './resolve-secret.js';
export { readSecretFromStdin } from './read-secret-from-stdin.js';
export { resolveCurveClientKeys, resolveCurveServerKeys } from './resolve-curve-keys.js';
export type {
  CurveClientKeys,
  CurveServerKeys,
  ResolveCurveOptions,
} from './resolve-curve-keys.js';
