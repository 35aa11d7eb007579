import { z } from 'zod';
import {
  bareVariableName,
  containsApiKeyShape,
  formatSecretRef,
  parseSecretRef,
} from './secret-refs.js';
import { issue } from './schema-fields.js';
import type { SecretRef } from './types.js';

const URL_HINT = 'expected an http or https URL like "https://api.openai.com/v1"';

/** A URL with credentials or a query, rewritten to hide them; undefined when it can be shown as written. */
function safeUrlText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (!url.username && !url.password && !url.search) return undefined;
  const userinfo = url.username || url.password ? '…(redacted)@' : '';
  const query = url.search ? '?…' : '';
  return JSON.stringify(
    `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}${url.hash}`,
  );
}

export const USERINFO_HINT =
  'must not contain user:password@; put the API key in apiKey as a ${secret:<name>} reference (stored with `mlx-gateway keys set <name>`)';

/**
 * A base URL: http or https, no user:password@ (keys go in apiKey), no query or fragment;
 * normalised without the trailing slash ("https://api.openai.com/v1").
 */
export function urlField() {
  return z.unknown().transform((value, ctx): string => {
    const shown = safeUrlText(value);
    const fail = (message: string): never => {
      issue(ctx, message, value, shown === undefined ? {} : { params: { gotText: shown } });
      return z.NEVER;
    };
    if (typeof value !== 'string') return fail(URL_HINT);
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      return fail(URL_HINT);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(URL_HINT);
    if (url.username || url.password) {
      // Written so that scrubSecrets (every CLI message goes through it) leaves the hint
      // whole: a `secret:` followed by a name would look like a credential to it.
      return fail(USERINFO_HINT);
    }
    if (url.search || url.hash) return fail('must not have a query (?...) or fragment (#...)');
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });
}

/** How to store a key instead of writing it into the file. */
export function storeKeyAdvice(secretName: string): string {
  return (
    `store it with \`mlx-gateway keys set ${secretName}\` and write ` +
    `\`apiKey: \${secret:${secretName}}\` (or \`apiKey: \${env:${secretName}}\` to read an environment variable)`
  );
}

/** `apiKey`: a `${env:NAME}` or `${secret:NAME}` reference, never the key itself. */
export function apiKeyField(secretName: string) {
  return z.unknown().transform((value, ctx): SecretRef => {
    if (typeof value === 'string') {
      const ref = parseSecretRef(value.trim());
      if (ref) return ref;
      const variable = bareVariableName(value.trim());
      if (variable !== undefined) {
        issue(ctx, `to read an environment variable write \${env:${variable}}`, value, {
          params: { gotText: JSON.stringify(value) },
        });
        return z.NEVER;
      }
      issue(
        ctx,
        `API keys must not be written in the config file; ${storeKeyAdvice(secretName)}`,
        value,
      );
      return z.NEVER;
    }
    issue(ctx, 'expected a reference like "${secret:NAME}" or "${env:NAME}"', value);
    return z.NEVER;
  });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the gateway or the HTTP client for every request. */
const MANAGED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
]);
/** Headers that carry credentials: only references are allowed in them. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
]);

export interface CompiledHeaders {
  headers: Record<string, string>;
  secretHeaders: Record<string, SecretRef>;
}

/**
 * Extra request headers. A value may be a whole `${env:NAME}` / `${secret:NAME}` reference
 * (resolved when a request is sent); a literal credential (a key-shaped value, or any literal
 * in Authorization, x-api-key, api-key) is refused.
 */
export function headersField(secretName: string) {
  return z.unknown().transform((value, ctx): CompiledHeaders => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issue(ctx, 'expected a mapping of header names to values', value);
      return z.NEVER;
    }
    const out: CompiledHeaders = { headers: {}, secretHeaders: {} };
    let ok = true;
    for (const [name, raw] of Object.entries(value)) {
      const lower = name.toLowerCase();
      const fail = (message: string, got: unknown = raw): void => {
        ok = false;
        issue(ctx, message, got, { path: [name] });
      };
      if (!HEADER_NAME.test(name)) fail('is not a valid header name', name);
      else if (MANAGED_HEADERS.has(lower)) fail('is set by the gateway; remove it');
      else if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
        fail('expected a string');
      } else {
        const text = String(raw);
        const ref = parseSecretRef(text.trim());
        if (ref) out.secretHeaders[name] = ref;
        else if (containsApiKeyShape(text) || CREDENTIAL_HEADERS.has(lower)) {
          fail(
            `credentials must not be written in the config file; ${storeKeyAdvice(secretName)}` +
              ` (a header value may also be a whole reference like \`${formatSecretRef({ kind: 'store', name: secretName })}\`)`,
          );
        } else if (text.includes('\r') || text.includes('\n')) fail('must be a single line');
        else out.headers[name] = text;
      }
    }
    return ok ? out : z.NEVER;
  });
}
