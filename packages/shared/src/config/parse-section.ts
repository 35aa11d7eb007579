import type { z } from 'zod';
import type { KeyPath, ProblemList } from './problem-list.js';

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A section parsed with its schema; its problems go to `problems`. What parsed of a section
 * with problems is still returned (see below), undefined when nothing usable is left.
 */
export function parseSection<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  path: KeyPath,
  problems: ProblemList,
): z.output<Schema> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  problems.addIssues(path, result.error.issues);
  // The keys that parsed still count, so that checks across keys (port ranges, backoff) run in
  // the same pass: every problem of the file is reported in one run, not one layer per fix.
  const bad = new Set(result.error.issues.map((i) => i.path[0]));
  if (!isMapping(value) || bad.has(undefined)) return undefined;
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !bad.has(key)));
  const partial = schema.safeParse(rest);
  return partial.success ? partial.data : undefined;
}
