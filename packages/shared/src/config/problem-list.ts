import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';
import { describeValue } from './describe-value.js';
import { didYouMean } from './did-you-mean.js';

export type KeyPath = ReadonlyArray<PropertyKey>;

/** Keys whose values are never shown in an error message. */
const SENSITIVE_KEYS = new Set(['apiKey', 'headers', 'env', 'curve', 'password']);

const PLAIN_KEY = /^[A-Za-z0-9_.@/:+-]+$/;

/** `models.qwen.aliases[0]`; a key with other characters is written `models["my model"]`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function isSensitive(path: KeyPath): boolean {
  return path.some((key) => typeof key === 'string' && SENSITIVE_KEYS.has(key));
}

/**
 * Extra data a schema attaches to a custom issue: `got: false` hides the value (it adds nothing
 * or is the parent object); `gotText` replaces it with text already made safe to show.
 */
export interface IssueParams {
  got?: false;
  gotText?: string;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }): string {
  return String(issue.minimum ?? issue.maximum);
}

function messageFor(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? 'missing (required)'
        : `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const hint =
        typeof input === 'string'
          ? didYouMean(
              input,
              issue.values.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      return `expected one of ${values}${hint ? `; ${hint}` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `must list at least ${bound(issue)}`;
      return issue.inclusive
        ? `must be at least ${bound(issue)}`
        : `must be more than ${bound(issue)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${bound(issue)} characters`;
      return issue.inclusive
        ? `must be at most ${bound(issue)}`
        : `must be less than ${bound(issue)}`;
    default:
      return issue.message;
  }
}

/** Collects the problems of one config file, each with its key path and the value at fault. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Adds a problem; pass `{ value }` to show the bad value (masked where sensitive). */
  add(path: KeyPath, message: string, got?: { value: unknown } | { text: string }): void {
    const problem: ConfigProblem = { path: formatPath(path), message };
    if (got && 'text' in got) problem.got = got.text;
    else if (got) problem.got = describeValue(got.value, isSensitive(path));
    this.items.push(problem);
  }

  /** Adds zod issues found while parsing the value at `prefix` (parsed with reportInput). */
  addIssues(prefix: KeyPath, issues: readonly z.core.$ZodIssue[]): void {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      const input = (issue as { input?: unknown }).input;
      const params = (issue.code === 'custom' ? issue.params : undefined) as
        IssueParams | undefined;
      const message = messageFor(issue, input);
      if (params?.gotText !== undefined) this.add(path, message, { text: params.gotText });
      else if (params?.got === false || input === undefined) this.add(path, message);
      else this.add(path, message, { value: input });
    }
  }
}
