/**
 * Removes key-shaped strings from free text: provider keys (`sk-…`, `sk-ant-…`,
 * `sk-proj-…`), gateway client keys (`mgw-…`), `Bearer`/`Basic` credentials,
 * `api_key=…`/`x-api-key: …`/`"password": "…"` forms, AWS access key ids, Google, GitHub,
 * Hugging Face and Slack tokens, JWTs, PEM private keys, credentials in URLs, and every
 * value registered with `registerSecret` (so a key of an unusual shape is caught too).
 *
 * All shapes are one combined regular expression, compiled once and again only when the
 * set of registered values changes; a call to scrubSecrets compiles nothing.
 */

import { scrubSecretParts } from './secret-parts.js';

export const REDACTED = '[redacted]';

/** Case-insensitive spelling of a word without the `i` flag (which would loosen AKIA etc.). */
function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

const SEP = String.raw`[-_]?`;
const KEY_NAMES = [
  `${ci('api')}${SEP}${ci('key')}`,
  `${ci('secret')}(?:${SEP}(?:${ci('access')}${SEP})?${ci('key')})?`,
  `${ci('private')}${SEP}${ci('key')}`,
  ci('password'),
  ci('passwd'),
  ci('token'),
  ci('authorization'),
].join('|');

const AUTH_SCHEME = `(?:${ci('bearer')}|${ci('basic')}|${ci('token')})`;
/** A character of an unquoted value; quotes and backslashes end it, so JSON stays valid. */
const VALUE_CHAR = String.raw`[^\s"'\\&,;{}[\]<>]`;
/** `token: 5`, `"api_key": null`: literals are not secrets, and rewriting them would break JSON. */
const LITERAL = String.raw`(?:true|false|null|undefined|-?\d+(?:\.\d+)?)`;
/**
 * The gateway's own words, never a value: a config reference (`${secret:NAME}`, `${env:NAME}`),
 * kept whole, and a placeholder after a key name (`<key>`, `${...}`, `[redacted]`).
 * Reference names are short identifiers, so a key cannot hide inside one.
 */
const REFERENCE = String.raw`(?<refopen>\$\{(?:env|secret):)(?<refname>[A-Za-z0-9][A-Za-z0-9_.-]{0,127})\}`;
const PLACEHOLDER = String.raw`(?:<[A-Za-z][A-Za-z -]{0,30}>|\[redacted\]|\$\{)`;

/**
 * Order matters only between shapes that can start at the same position. Every shape
 * either starts at a token boundary or has a bounded or non-backtracking body, so a scan
 * stays linear even over megabytes of base64.
 */
const SHAPES = [
  REFERENCE,
  String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\s\S]{0,20000}?-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----`,
  String.raw`(?<=\/\/)(?<userinfo>[^\s/?#@"'\\]+)@`,
  String.raw`(?<kvname>${KEY_NAMES})(?<kvsep>["']?\s*[:=]\s*["']?)(?!${LITERAL}(?!${VALUE_CHAR}))(?!(?:${AUTH_SCHEME}\s+)?${PLACEHOLDER})(?:${AUTH_SCHEME}\s+)?${VALUE_CHAR}+`,
  String.raw`(?<![A-Za-z0-9])(?<scheme>(?:${ci('bearer')}|${ci('basic')})\s+)[A-Za-z0-9._~+/-]{8,}=*`,
  String.raw`(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}`,
  String.raw`(?<![A-Za-z0-9])mgw-[A-Za-z0-9_-]{16,}`,
  String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])`,
  String.raw`(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{35}`,
  String.raw`(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})`,
  String.raw`(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}`,
  String.raw`(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
];

/** Values shorter than this are not registered: they would scrub ordinary words. */
export const MIN_REGISTERED_SECRET_LENGTH = 8;

const registered = new Set<string>();
let combined: RegExp | undefined;
/** Counts changes to `registered`, so that matchers built from it know when they are stale. */
let generation = 0;

/** Strings longer than this are scrubbed every time: free text rarely repeats. */
const MEMO_MAX_LENGTH = 256;
/** Distinct values each generation of the memo holds. */
const MEMO_GENERATION_SIZE = 2048;
// Two generations: a value is looked up in both; a hit in the old one moves it to the young
// one, and a full young generation becomes the old one. Values used again and again (a model
// name, a path) stay; values seen once (a request id) pass through without evicting them.
let young = new Map<string, string>();
let old = new Map<string, string>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function compile(): RegExp {
  const values = [...registered].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const alternatives =
    values.length > 0
      ? [`(?<![A-Za-z0-9])(?:${values.join('|')})(?![A-Za-z0-9])`, ...SHAPES]
      : SHAPES;
  return new RegExp(alternatives.join('|'), 'g');
}

function spellings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  return [...forms];
}

/**
 * Registers a secret the process loaded (an upstream key, a client key) so its exact value
 * is scrubbed wherever it appears, in raw, URL-encoded and JSON-escaped form. Values
 * shorter than 8 characters are ignored.
 */
export function registerSecret(value: string): void {
  if (typeof value !== 'string' || value.length < MIN_REGISTERED_SECRET_LENGTH) return;
  let changed = false;
  for (const form of spellings(value)) {
    if (!registered.has(form)) {
      registered.add(form);
      changed = true;
    }
  }
  if (changed) recompile();
}

/** Stops scrubbing a value registered earlier (after a key was deleted or rotated). */
export function forgetSecret(value: string): void {
  let changed = false;
  for (const form of spellings(value)) changed = registered.delete(form) || changed;
  if (changed) recompile();
}

/** The set of registered values changed: the expression and every remembered answer are stale. */
function recompile(): void {
  generation++;
  combined = undefined;
  young.clear();
  old.clear();
}

function replace(match: string, ...args: unknown[]): string {
  const groups = args[args.length - 1] as Record<string, string | undefined>;
  // A reference stays, unless its name is itself key-shaped (`${env:sk-…}` by mistake).
  // Reentrant use is safe: replace() collects every match before it calls this function.
  if (groups['refname'] !== undefined)
    return `${groups['refopen']}${scrubSecrets(groups['refname'])}}`;
  if (groups['userinfo'] !== undefined) return `${REDACTED}@`;
  if (groups['kvname'] !== undefined)
    return `${groups['kvname']}${groups['kvsep'] ?? ''}${REDACTED}`;
  if (groups['scheme'] !== undefined) return `${groups['scheme']}${REDACTED}`;
  return match.length > 0 ? REDACTED : match;
}

/** Every registered value, in every spelling. */
export function registeredSecrets(): ReadonlySet<string> {
  return registered;
}

/** A number that changes whenever the registered values do. */
export function secretGeneration(): number {
  return generation;
}

/**
 * Returns `text` with every key-shaped string replaced by `[redacted]`, and every part of a
 * registered value (a 6+ character prefix or suffix, a masked form: scrubSecretParts).
 */
export function scrubSecrets(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  combined ??= compile();
  combined.lastIndex = 0;
  return scrubSecretParts(text.replace(combined, replace));
}

/**
 * `scrubSecrets` for short values that repeat, such as the fields of the request log (model,
 * path, backend): the answer for a value seen recently is remembered, so the expression runs
 * once per distinct value instead of once per line. Registering or forgetting a secret
 * forgets every answer.
 */
export function scrubSecretsMemo(text: string): string {
  if (typeof text !== 'string' || text.length > MEMO_MAX_LENGTH) return scrubSecrets(text);
  let clean = young.get(text);
  if (clean !== undefined) return clean;
  clean = old.get(text) ?? scrubSecrets(text);
  if (young.size >= MEMO_GENERATION_SIZE) {
    old = young;
    young = new Map();
  }
  young.set(text, clean);
  return clean;
}
