import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
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

/**
 * The offset of the deepest node along `keys`. A map key may itself contain dots (a model
 * named `qwen2.5`, which formatPath writes unquoted), so at a map the longest run of the
 * remaining keys that is a key of the map wins.
 */
function offsetOf(root: unknown, keys: Array<string | number>): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  let i = 0;
  while (i < keys.length && node != null) {
    const key = keys[i];
    if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined;
      if (node == null) break;
      offset = node.range?.[0] ?? offset;
      i += 1;
      continue;
    }
    if (!isMap(node)) break;
    const map = node;
    let taken = 0;
    for (let take = keys.length - i; take >= 1 && taken === 0; take--) {
      const run = keys.slice(i, i + take);
      if (run.some((k) => typeof k === 'number')) continue;
      const name = run.join('.');
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
      if (pair === undefined) continue;
      taken = take;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    }
    if (taken === 0) break;
    i += taken;
  }
  return offset;
}

/** The line of the deepest written node on `path` (a missing key: its parent's), or undefined. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: string,
): number | undefined {
  const offset = offsetOf(doc.contents, parseKeyPath(path));
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** A YAML syntax error's line, from the parser's `line N, column M:` in its message. */
function syntaxLine(message: string): number | undefined {
  const match = /line (\d+), column \d+/.exec(message);
  return match === null ? undefined : Number(match[1]);
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
      const line = p.path === '' ? syntaxLine(p.message) : lineOf(doc, counter, p.path);
      return line === undefined ? { ...p } : { ...p, line };
    });
    return { ok: false, file: label, problems };
  }
}
