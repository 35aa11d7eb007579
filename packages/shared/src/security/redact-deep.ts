import { REDACTED, scrubSecrets } from './redact.js';

/** Key names (compared lowercase, without `-` and `_`) whose values are always secret. */
const SENSITIVE_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'apikey',
  'xapikey',
  'xgoogapikey',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'secretkey',
  'secretaccesskey',
  'awssecretaccesskey',
  'privatekey',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'sessiontoken',
  'xamzsecuritytoken',
]);

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

/** `set` or `unset`, never the value: for describing credentials in env vars. */
export function describeEnv(name: string, env: NodeJS.ProcessEnv = process.env): 'set' | 'unset' {
  const value = env[name];
  return value !== undefined && value.length > 0 ? 'set' : 'unset';
}

export type HeadersLike =
  Headers | Iterable<[string, string]> | Record<string, string | string[] | number | undefined>;

/**
 * A plain copy of request/response headers safe to log or relay: credential headers
 * (authorization, x-api-key, cookie, ...) become `[redacted]`, the others are scrubbed.
 */
export function redactHeaders(headers: HeadersLike): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in headers
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (isSensitiveKey(name)) out[name] = REDACTED;
    else if (Array.isArray(value)) out[name] = value.map((v) => scrubSecrets(String(v)));
    else out[name] = scrubSecrets(String(value));
  }
  return out;
}

const MAX_DEPTH = 32;

/** `{ kind: 'env' | 'store', name }` names where a secret lives; it holds no secret. */
function isSecretRef(value: object): boolean {
  const keys = Object.keys(value);
  const ref = value as { kind?: unknown; name?: unknown };
  return (
    keys.length === 2 &&
    (ref.kind === 'env' || ref.kind === 'store') &&
    typeof ref.name === 'string'
  );
}

function redactProperty(
  key: string,
  value: unknown,
  seen: WeakSet<object>,
  depth: number,
): unknown {
  if (isSensitiveKey(key) && value !== undefined && value !== null) {
    if (typeof value === 'object' && !Array.isArray(value) && isSecretRef(value)) {
      return walk(value, seen, depth + 1);
    }
    return REDACTED;
  }
  return walk(value, seen, depth + 1);
}

function serializeError(err: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: err.constructor?.name ?? 'Error',
    message: scrubSecrets(String(err.message)),
  };
  if (typeof err.stack === 'string') out['stack'] = scrubSecrets(err.stack);
  for (const key of Object.keys(err)) {
    if (key === 'message' || key === 'stack') continue;
    out[key] = redactProperty(key, (err as unknown as Record<string, unknown>)[key], seen, depth);
  }
  if (err.cause !== undefined && !('cause' in out)) out['cause'] = walk(err.cause, seen, depth + 1);
  if (err instanceof AggregateError && !('errors' in out)) {
    out['errors'] = walk(err.errors, seen, depth + 1);
  }
  return out;
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return serializeError(value, seen, depth);
    if (value instanceof Date) return value;
    if (value instanceof URL) return scrubSecrets(value.href);
    // Recognised by its tag: reading the `Headers` global would load Node's whole fetch
    // implementation (about 12 MB resident) into a process that never uses it (the supervisor).
    if (Object.prototype.toString.call(value) === '[object Headers]') {
      return redactHeaders(value as Headers);
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return `[binary ${value.byteLength} bytes]`;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, seen, depth + 1));
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) out[String(k)] = redactProperty(String(k), v, seen, depth);
      return out;
    }
    if (value instanceof Set) return [...value].map((item) => walk(item, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      out[key] = redactProperty(key, (value as Record<string, unknown>)[key], seen, depth);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * A deep copy safe to log, print or relay (config dumps, upstream error bodies, audit
 * records): values under credential-named keys at any depth become `[redacted]`, every
 * string is scrubbed of key-shaped text, errors become plain objects with scrubbed message
 * and stack, cycles become `[circular]`. The input is not modified.
 */
export function redactDeep(value: unknown): unknown {
  return walk(value, new WeakSet(), 0);
}
