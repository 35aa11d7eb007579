import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { compileConfig, ConfigError, parseConfigYaml } from '@mlx-gateway/shared/config';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';

/** A problem of an edited config, with the line it is about (1-based; undefined: the file). */
export interface LineProblem {
  line: number | undefined;
  path: string;
  message: string;
}

export type ConfigCheck =
  { ok: true; config: GatewayConfig } | { ok: false; problems: LineProblem[] };

/**
 * Validates a config text as `mlx-gateway up` would load it (the same parser and compiler),
 * and gives each problem the line of the key it names: the deepest node of its key path that
 * the text has (a missing key points at its parent). Messages are scrubbed.
 */
export function checkConfigText(
  text: string,
  context: { home: string; file: string; env?: NodeJS.ProcessEnv },
): ConfigCheck {
  try {
    const raw = parseConfigYaml(text, context.file);
    const config = compileConfig(raw, {
      home: context.home,
      file: context.file,
      env: context.env ?? process.env,
    });
    return { ok: true, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const lines = keyLines(text);
    const problems = err.problems.map((p) => {
      const got = p.got === undefined ? '' : ` (got ${p.got})`;
      return {
        line: p.path === '' ? syntaxLine(p.message) : lines(p.path),
        path: p.path,
        message: scrubSecrets(`${p.message}${got}`),
      };
    });
    return { ok: false, problems };
  }
}

/** A syntax error's line, from the parser's `line N, column M:` prefix. */
function syntaxLine(message: string): number | undefined {
  const match = /^line (\d+), column \d+/.exec(message);
  return match === null ? undefined : Number(match[1]);
}

/** Splits `models.qwen.aliases[0]` into `models`, `qwen`, `aliases`, 0. */
export function splitKeyPath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const piece of path.split('.')) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(piece);
    if (match === null) {
      parts.push(piece);
      continue;
    }
    if (match[1] !== '') parts.push(match[1] as string);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/** A function from a key path to its line in `text` (undefined when the text has none of it). */
export function keyLines(text: string): (path: string) => number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return (path) => {
    const offset = findOffset(doc.contents, splitKeyPath(path));
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
}

/**
 * The offset of the deepest node along `parts`. A map key may itself contain dots (a model
 * named `qwen2.5`), so at a map the longest run of the remaining parts that is a key wins.
 */
function findOffset(node: unknown, parts: Array<string | number>): number | undefined {
  let current = node as Node | null | undefined;
  let offset = rangeStart(current);
  let i = 0;
  while (i < parts.length && current != null) {
    const part = parts[i];
    if (isSeq(current) && typeof part === 'number') {
      const item = current.items[part] as Node | undefined;
      if (item === undefined) break;
      current = item;
      offset = rangeStart(item) ?? offset;
      i += 1;
      continue;
    }
    if (!isMap(current)) break;
    const map = current;
    let matched = false;
    for (let take = parts.length - i; take >= 1 && !matched; take--) {
      const run = parts.slice(i, i + take);
      if (run.some((p) => typeof p === 'number')) continue;
      const key = run.join('.');
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair === undefined) continue;
      matched = true;
      offset = rangeStart(pair.key as Node) ?? offset;
      current = pair.value as Node | null;
      i += take;
    }
    if (!matched) break;
  }
  return offset;
}

function rangeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}
