import { z } from 'zod';
import { issue, section } from './schema-fields.js';
import { bareVariableName, parseSecretRef } from './secret-refs.js';
import type { SecretRef } from './types.js';

/** A CURVE key in Z85: 40 characters of ZeroMQ's base-85 alphabet (32 bytes). */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

const HOW = '`mlx-gateway keys curve` generates both key pairs and prints this section';

/** Default secret names used by `mlx-gateway keys curve`. */
export const CURVE_SERVER_SECRET = 'SUPERVISOR_CURVE_SERVER_SECRET';
export const CURVE_CLIENT_SECRET = 'SUPERVISOR_CURVE_CLIENT_SECRET';

export function isZ85Key(value: unknown): value is string {
  return typeof value === 'string' && Z85_KEY.test(value);
}

/** A public key, written as it is. The value is never repeated in an error (it may be a secret key put in the wrong place). */
function publicKeyField() {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value === 'string' && isZ85Key(value.trim())) return value.trim();
    issue(
      ctx,
      `${value === undefined ? 'is required: ' : ''}expected a CURVE public key, 40 Z85 characters in quotes; ${HOW}`,
      value,
      { params: { got: false } },
    );
    return z.NEVER;
  });
}

/** A secret key: a `${secret:NAME}` or `${env:NAME}` reference, never the key itself. */
function secretKeyField(secretName: string) {
  return z.unknown().transform((value, ctx): SecretRef => {
    const text = typeof value === 'string' ? value.trim() : undefined;
    const ref = text === undefined ? undefined : parseSecretRef(text);
    if (ref) return ref;
    const variable = text === undefined ? undefined : bareVariableName(text);
    const message =
      value === undefined
        ? `is required: a reference like \${secret:${secretName}}; ${HOW}`
        : variable !== undefined
          ? `to read an environment variable write \${env:${variable}}`
          : `CURVE secret keys must not be written in the config file; write \${secret:${secretName}} and store the key with \`mlx-gateway keys set ${secretName}\` (${HOW})`;
    issue(ctx, message, value, { params: { got: false } });
    return z.NEVER;
  });
}

/** `supervisor.curve`: all four keys are required. */
export function curveSchema() {
  return section({
    serverPublicKey: publicKeyField(),
    serverSecretKey: secretKeyField(CURVE_SERVER_SECRET),
    clientPublicKey: publicKeyField(),
    clientSecretKey: secretKeyField(CURVE_CLIENT_SECRET),
  });
}
