import { LineCounter, parseDocument, isNode } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { parseConfigYaml } from './load-config.js';
import type { GatewayConfig } from './types.js';

/** A config problem with the line of the YAML text it is about, when it can be found. */
export interface LocatedConfigProblem extends ConfigProblem {
  /** 1-based line of the value at `path` (or of its closest parent that is written). */
  line?: number;
}

export type ConfigTextCheck =
  | { ok: true; config: GatewayConfig }
  | { ok: false; file: string; problems: LocatedConfigProblem[] };

export interface ValidateConfigTextOptions {
  /** The gateway home the config is for. */
  home: string;
  /** Shown in messages and recorded as the config's file. Default `config.yaml`. */
  label?: string;
  env?: NodeJS.ProcessEnv;
}

const SEGMENT = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;

/** `models.qwen.aliases[0]` / `models["my model"]` → its keys (formatPath read backwards). */
export function parseKeyPath(path: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const m of path.matchAll(SEGMENT)) {
    if (m[1] !== undefined) keys.push(m[1]);
    else if (m[2] !== undefined) keys.push(Number(m[2]));
    else if (m[3] !== undefined) keys.push(JSON.parse(m[3]) as string);
  }
  return keys;
}

/** The line of the deepest written node on `path`, or undefined. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: string,
): number | undefined {
  const keys = parseKeyPath(path);
  for (let n = keys.length; n > 0; n--) {
    const node: unknown = doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Validates config text as `loadConfig` would validate the file (nothing is read or written):
 * the compiled config, or every problem with its key path and, where the text has it, its line.
 * For callers that hold a config text before it is saved (the dashboard's editor).
 */
export function validateConfigText(
  text: string,
  options: ValidateConfigTextOptions,
): ConfigTextCheck {
  const label = options.label ?? 'config.yaml';
  try {
    const raw = parseConfigYaml(text, label);
    const config = compileConfig(raw, {
      home: options.home,
      file: label,
      ...(options.env ? { env: options.env } : {}),
    });
    return { ok: true, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false, merge: true });
    const problems = err.problems.map((p): LocatedConfigProblem => {
      const line = p.path === '' ? undefined : lineOf(doc, counter, p.path);
      return line === undefined ? { ...p } : { ...p, line };
    });
    return { ok: false, file: label, problems };
  }
}
