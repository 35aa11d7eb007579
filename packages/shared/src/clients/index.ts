export { createClientKey, listClientKeys, removeClientKey } from './client-keys.js';
export type { ClientKeyInfo } from './client-keys.js';
export type { ClientKeyRecord } from './client-key-file.js';
export { ClientKeyVerifier } from './client-key-verifier.js';
export type { ClientIdentity } from './client-key-verifier.js';
export { extractPresentedKey } from './extract-presented-key.js';
