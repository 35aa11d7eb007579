export * from './paths.js';
export * from './clock/clock.js';
export type * from './config/types.js';
export * from './errors/index.js';
export { parseDuration, formatDuration } from './units/duration.js';
export { parseBytes, formatBytes } from './units/bytes.js';
export { loadConfig, parseConfigYaml } from './config/load-config.js';
export type { LoadConfigOptions } from './config/load-config.js';
export { compileConfig } from './config/compile-config.js';
export type { CompileContext } from './config/compile-config.js';
export { ConfigError } from './config/config-error.js';
export type { ConfigProblem } from './config/config-error.js';
export { closestMatches } from './config/did-you-mean.js';
export { routePrefixes, matchPrefix } from './config/route-prefixes.js';
export { RouteTable } from './config/route-table.js';
export type {
  RouteMatchKind,
  RouteResolution,
  RouteTarget,
  RoutingSections,
} from './config/route-table.js';
export { LOCAL_PROVIDER, WELL_KNOWN_PROVIDERS } from './config/builtin-defaults.js';
export { parseSecretRef, formatSecretRef } from './config/secret-refs.js';
export { PORT_PLACEHOLDER, HOST_PLACEHOLDER } from './config/command-line.js';
export { checkUrl, assertSafeUrl } from './security/ssrf.js';
export type { UrlCheck } from './security/ssrf.js';
export type { SsrfPolicy } from './security/ssrf-policy.js';
export { createGuardedLookup } from './security/guarded-lookup.js';
export type { GuardedResolver } from './security/guarded-lookup.js';
export { createGuardedAgent } from './security/guarded-agent.js';
export type { GuardedAgentOptions } from './security/guarded-agent.js';
export {
  scrubSecrets,
  scrubSecretsMemo,
  registerSecret,
  forgetSecret,
  REDACTED,
} from './security/redact.js';
export { scrubSecretParts, currentSecretMatcher } from './security/secret-parts.js';
export { SecretMatcher } from './security/secret-matcher.js';
export { StreamScrubber, scrubBody } from './security/stream-scrubber.js';
export { redactDeep, redactHeaders, describeEnv, isSensitiveKey } from './security/redact-deep.js';
export type { HeadersLike } from './security/redact-deep.js';
export { writePrivateFileAtomic } from './security/private-file.js';
export { createLogger } from './logging/create-logger.js';
export { prettyLogLine } from './logging/pretty-log.js';
export type { CreateLoggerOptions, Logger } from './logging/create-logger.js';
export type { SecretStore } from './secrets/secret-store.js';
export type { KeyringBackend } from './secrets/keyring-backend.js';
export { KeychainStore, KEYCHAIN_SERVICE } from './secrets/keychain-store.js';
export { EncryptedFileStore, SECRET_KEY_ENV } from './secrets/encrypted-file-store.js';
export { openSecretStore, probeKeychain } from './secrets/open-secret-store.js';
export type { OpenSecretStoreOptions } from './secrets/open-secret-store.js';
export { resolveSecret } from './secrets/resolve-secret.js';
export { readSecretFromStdin } from './secrets/read-secret-from-stdin.js';
export { createClientKey, listClientKeys, removeClientKey } from './clients/client-keys.js';
export type { ClientKeyInfo } from './clients/client-keys.js';
export type { ClientKeyRecord } from './clients/client-key-file.js';
export { ClientKeyVerifier } from './clients/client-key-verifier.js';
export type { ClientIdentity } from './clients/client-key-verifier.js';
export { extractPresentedKey } from './clients/extract-presented-key.js';
export { resolveCurveClientKeys, resolveCurveServerKeys } from './secrets/resolve-curve-keys.js';
export type {
  CurveClientKeys,
  CurveServerKeys,
  ResolveCurveOptions,
} from './secrets/resolve-curve-keys.js';
export { CURVE_CLIENT_SECRET, CURVE_SERVER_SECRET, isZ85Key } from './config/curve-fields.js';
export { openStateStore } from './state/open-state-store.js';
export type { OpenStateStoreOptions } from './state/open-state-store.js';
export type {
  StateStore,
  StateStoreHealth,
  StateScript,
  StreamEntry,
} from './state/state-store.js';
export { DEFAULT_STATE } from './config/state-schema.js';
