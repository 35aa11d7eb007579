import { z } from 'zod';
import type { ProblemList } from './problem-list.js';
import { bareVariableName, parseSecretRef } from './secret-refs.js';
import { duration, issue, section } from './schema-fields.js';
import type { SecretRef, StateConfig } from './types.js';

export const DEFAULT_STATE = {
  keyPrefix: 'mlx-gateway:',
  whenDown: 'serve',
  commandTimeoutMs: 250,
  connectTimeoutMs: 2_000,
} as const;

const URL_HINT = 'expected a Redis URL like "redis://127.0.0.1:6379/0" (rediss:// for TLS)';

/** `redis://[user@]host[:port][/db]`; the password goes in `password:` as a reference. */
function redisUrlField() {
  return z.unknown().transform((value, ctx): string => {
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value.trim()) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
      issue(ctx, URL_HINT, value, url?.password ? { params: { gotText: '(hidden)' } } : {});
      return z.NEVER;
    }
    if (url.password) {
      issue(
        ctx,
        'must not contain a password; store it with `mlx-gateway keys set redis` and write `password: ${secret:redis}`',
        value,
        { params: { gotText: `${url.protocol}//…(redacted)@${url.host}${url.pathname}` } },
      );
      return z.NEVER;
    }
    return url.toString().replace(/\/$/, '');
  });
}

/** `password`: a `${secret:NAME}` or `${env:NAME}` reference, never the password itself. */
function passwordRefField() {
  return z.unknown().transform((value, ctx): SecretRef => {
    const text = typeof value === 'string' ? value.trim() : '';
    const ref = parseSecretRef(text);
    if (ref) return ref;
    const variable = bareVariableName(text);
    issue(
      ctx,
      variable !== undefined
        ? `to read an environment variable write \${env:${variable}}`
        : 'a password must not be written in the config file; store it with `mlx-gateway keys set redis` and write `password: ${secret:redis}` (or `${env:NAME}`)',
      value,
    );
    return z.NEVER;
  });
}

function stateSchema() {
  return section({
    redis: section({
      url: redisUrlField(),
      password: passwordRefField().optional(),
      tls: z
        .union([
          z.boolean(),
          section({ ca: z.string().min(1).optional(), servername: z.string().min(1).optional() }),
        ])
        .optional(),
      commandTimeout: duration().optional(),
      connectTimeout: duration().optional(),
    }).nullish(),
    keyPrefix: z.string().max(64).optional(),
    whenDown: z.enum(['serve', 'refuse']).optional(),
  }).nullish();
}

/** Compiles `state:`; absent means the embedded store with the defaults. */
export function compileState(
  raw: unknown,
  problems: ProblemList,
  expandHome: (path: string) => string,
): StateConfig {
  const result = stateSchema().safeParse(raw, { reportInput: true });
  if (!result.success) problems.addIssues(['state'], result.error.issues);
  const state = result.success ? result.data : undefined;
  const redis = state?.redis;
  const tls = redis?.tls;
  return {
    keyPrefix: state?.keyPrefix ?? DEFAULT_STATE.keyPrefix,
    whenDown: state?.whenDown ?? DEFAULT_STATE.whenDown,
    ...(redis
      ? {
          redis: {
            url: redis.url,
            ...(redis.password ? { password: redis.password } : {}),
            ...(typeof tls === 'object'
              ? {
                  tls: {
                    ...(tls.ca ? { caFile: expandHome(tls.ca) } : {}),
                    ...(tls.servername ? { servername: tls.servername } : {}),
                  },
                }
              : tls === true
                ? { tls: {} }
                : {}),
            commandTimeoutMs: redis.commandTimeout ?? DEFAULT_STATE.commandTimeoutMs,
            connectTimeoutMs: redis.connectTimeout ?? DEFAULT_STATE.connectTimeoutMs,
          },
        }
      : {}),
  };
}
