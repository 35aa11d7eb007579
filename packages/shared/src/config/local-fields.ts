import { z } from 'zod';
import { issue } from './schema-fields.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Extra environment for a child process: NAME → value (numbers and booleans taken as text). */
export function envField() {
  return z.unknown().transform((value, ctx): Record<string, string> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issue(ctx, 'expected a mapping of variable names to values', value);
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    let ok = true;
    for (const [name, raw] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) {
        ok = false;
        issue(ctx, 'is not a valid environment variable name', undefined, {
          path: [name],
          params: { got: false },
        });
      } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
        out[name] = String(raw);
      } else {
        ok = false;
        issue(ctx, 'expected a string', raw, { path: [name] });
      }
    }
    return ok ? out : z.NEVER;
  });
}

/** The path of the health check, e.g. "/health". */
export function healthPathField() {
  return z
    .string()
    .regex(/^\/[^\s?#]*$/, { error: 'expected a path starting with "/" like "/health"' });
}
