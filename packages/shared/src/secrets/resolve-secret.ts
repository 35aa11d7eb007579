import { ErrorCodes } from '@mlx-gateway/protocol';
import type { SecretRef } from '../config/types.js';
import { GatewayError } from '../errors/index.js';
import { registerSecret } from '../security/redact.js';
import type { SecretStore } from './secret-store.js';

export interface ResolveSecretOptions {
  store?: SecretStore;
  env?: NodeJS.ProcessEnv;
}

/**
 * The value a secret reference points to, registered for scrubbing (registerSecret) before
 * it is returned. A missing secret is a SECRET_NOT_FOUND error that says how to provide it
 * and never contains a value.
 */
export async function resolveSecret(
  ref: SecretRef,
  options: ResolveSecretOptions = {},
): Promise<string> {
  let value: string | undefined;
  if (ref.kind === 'env') {
    value = (options.env ?? process.env)[ref.name];
    if (value === undefined || value.length === 0) {
      throw new GatewayError(
        ErrorCodes.SECRET_NOT_FOUND,
        `environment variable ${ref.name} is not set; export ${ref.name}=... before starting the gateway, or store the key with \`mlx-gateway keys set ${ref.name}\` and refer to it as \${secret:${ref.name}}`,
        { details: { kind: ref.kind, name: ref.name } },
      );
    }
  } else {
    if (options.store === undefined) {
      throw new GatewayError(
        ErrorCodes.SECRET_NOT_FOUND,
        `secret "${ref.name}" cannot be read: no secret store is open`,
        { details: { kind: ref.kind, name: ref.name } },
      );
    }
    value = await options.store.get(ref.name);
    if (value === undefined || value.length === 0) {
      throw new GatewayError(
        ErrorCodes.SECRET_NOT_FOUND,
        `secret "${ref.name}" is not in the ${options.store.kind} store; add it with \`mlx-gateway keys set ${ref.name}\` (the key is read from stdin)`,
        { details: { kind: ref.kind, name: ref.name } },
      );
    }
  }
  registerSecret(value);
  return value;
}
