// Helpers shared by the config compiler's tests: compile a YAML text as if read from config.yaml,
// and collect the problems a ConfigError reports, one per line.
import { expect } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from '../config/compile-config.js';
import { ConfigError } from '../config/config-error.js';
import type { LocalModelConfig, ModelConfig, RemoteModelConfig } from '../config/types.js';

export const TEST_HOME = '/tmp/gw-home';

export const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: TEST_HOME, file: 'config.yaml', env: { HOME: '/Users/me' } });

export function problemsOf(text: string): string[] {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Compiles `models:` followed by `text`, which must declare exactly one model. */
export function onlyModel(text: string): ModelConfig {
  const { models } = compileYaml(`models:\n${text}`);
  expect(models).toHaveLength(1);
  return models[0] as ModelConfig;
}
export const local = (text: string) => onlyModel(text) as LocalModelConfig;
export const remote = (text: string) => onlyModel(text) as RemoteModelConfig;
