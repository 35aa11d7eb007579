import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';

/**
 * A model in backoff after a failed start, restated for an HTTP client: when it will be tried
 * again (the seconds go out as `Retry-After`, see `retryAfterSeconds`) and how to retry at once.
 */
export function backoffError(err: GatewayError, model: string, now: number): GatewayError {
  const retryAt = err.details?.['retryAt'];
  const seconds = typeof retryAt === 'number' ? Math.max(1, Math.ceil((retryAt - now) / 1000)) : 1;
  const name = typeof err.details?.['model'] === 'string' ? err.details['model'] : model;
  return new GatewayError(
    ErrorCodes.MODEL_BACKOFF,
    `model '${name}' failed to start and is in backoff: ${err.message}; it is tried again in ${seconds}s, ` +
      `or at once after \`mlx-gateway clear ${name}\``,
    { details: { ...err.details, retryAfterSeconds: seconds }, cause: err },
  );
}

/**
 * The supervisor does not know a model the proxy's config calls local: the two processes serve
 * different generations of the config (the proxy alone was restarted after an edit, or the
 * supervisor was reloaded with another file). Said as such, instead of a bare 404 for a model
 * that `/v1/models` lists.
 */
export function configMismatchError(err: GatewayError, model: string): GatewayError {
  return new GatewayError(
    ErrorCodes.CONFIG_INVALID,
    `model '${model}' is in the proxy's config but the supervisor answered: ${err.message}. ` +
      'The proxy and the supervisor run different versions of the config (one was restarted or ' +
      'reloaded after an edit); restart both with `mlx-gateway down` then `mlx-gateway up`',
    { status: 503, details: { model, supervisorCode: err.code, configMismatch: true }, cause: err },
  );
}
