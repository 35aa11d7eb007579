import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { gatewayPaths, resolveHome } from '../paths.js';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { redactApiKeys } from './secret-refs.js';
import type { GatewayConfig } from './types.js';

export interface LoadConfigOptions {
  /** A config file to read; it must exist. Default: `<home>/config.yaml`, which may be absent. */
  file?: string;
  /** Default: MLX_GATEWAY_HOME or ~/.mlx-gateway. */
  home?: string;
  env?: NodeJS.ProcessEnv;
}

/** Parses YAML text into plain data, or throws a ConfigError naming each syntax error's line. */
export function parseConfigYaml(text: string, label: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((err) => {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      return { path: '', message: `line ${line}, column ${col}: ${redactApiKeys(err.message)}` };
    });
    throw new ConfigError(label, problems);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(label, [{ path: '', message: redactApiKeys((err as Error).message) }]);
  }
}

/**
 * Reads, validates and compiles the config file. A missing default file gives the defaults
 * with no models; a missing file named explicitly is an error.
 */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const home = resolve(options.home ?? resolveHome(env));
  const file = resolve(options.file ?? gatewayPaths(home).config);
  const label = options.file ?? file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.file === undefined) return compileConfig({}, { home, env });
    const message =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${code ?? 'unknown error'})`;
    throw new ConfigError(label, [{ path: '', message }], { cause: err });
  }
  const raw = parseConfigYaml(text, label);
  const config = compileConfig(raw, { home, file: label, env });
  config.file = file;
  return config;
}
