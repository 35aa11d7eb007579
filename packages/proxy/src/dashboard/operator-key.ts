import type { SecretRef } from '@mlx-gateway/shared/config';

/** The operator key's name: an environment variable, or an entry of the gateway's secret store. */
export const OPERATOR_KEY_NAME = 'MLX_GATEWAY_OPERATOR_KEY';

/**
 * Where the dashboard finds the operator key, the one credential that opens it from elsewhere
 * than loopback (a client key never does): `MLX_GATEWAY_OPERATOR_KEY` in the environment, else
 * the secret store's entry of that name (`mlx-gateway keys set MLX_GATEWAY_OPERATOR_KEY`).
 * Looked up at most once a minute; undefined when neither holds one.
 */
export function operatorKeySource(
  resolve: (ref: SecretRef) => Promise<string>,
  env: NodeJS.ProcessEnv = process.env,
  ttlMs = 60_000,
): () => Promise<string | undefined> {
  let cached: { value: string | undefined; at: number } | undefined;
  return async () => {
    const now = Date.now();
    if (cached !== undefined && now - cached.at < ttlMs) return cached.value;
    const kind = env[OPERATOR_KEY_NAME] !== undefined ? 'env' : 'store';
    let value: string | undefined;
    try {
      value = await resolve({ kind, name: OPERATOR_KEY_NAME });
    } catch {
      value = undefined;
    }
    cached = { value: value === '' ? undefined : value, at: now };
    return cached.value;
  };
}
