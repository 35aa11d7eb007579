export type * from './types.js';
export { loadConfig, parseConfigYaml } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { compileConfig } from './compile-config.js';
export type { CompileContext } from './compile-config.js';
export { ConfigError } from './config-error.js';
export type { ConfigProblem } from './config-error.js';
export { closestMatches } from './did-you-mean.js';
export { routePrefixes, matchPrefix } from './route-prefixes.js';
export { RouteTable } from './route-table.js';
export type {
  RouteMatchKind,
  RouteResolution,
  RouteTarget,
  RoutingSections,
} from './route-table.js';
export { DEFAULT_WEDGED_AFTER, LOCAL_PROVIDER, WELL_KNOWN_PROVIDERS } from './builtin-defaults.js';
export { parseSecretRef, formatSecretRef } from './secret-refs.js';
export { PORT_PLACEHOLDER, HOST_PLACEHOLDER } from './command-line.js';
export { CURVE_CLIENT_SECRET, CURVE_SERVER_SECRET, isZ85Key } from './curve-fields.js';
export { DEFAULT_STATE } from './state-schema.js';
export { localModelFingerprint } from './local-model-fingerprint.js';
export { withListenAddress } from './listen.js';
export { validateConfigText, parseKeyPath } from './validate-config-text.js';
export type {
  ConfigTextCheck,
  LocatedConfigProblem,
  ValidateConfigTextOptions,
} from './validate-config-text.js';
