import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared/errors';
import { sanitizeUpstreamMessage } from '../../upstream/sanitize-message.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';

/** A successful upstream body parsed as JSON; UPSTREAM_ERROR when it is not JSON. */
export function parseUpstreamJson(body: Buffer, who: UpstreamIdentity): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError(
      ErrorCodes.UPSTREAM_ERROR,
      `model '${who.model}' answered with a body that is not JSON`,
      { details: { model: who.model } },
    );
  }
}

/**
 * The error for an upstream answer a translator refused (UPSTREAM_ERROR): it names the model,
 * and whatever of the upstream's own words it carries is sanitised like any relayed message.
 */
export function translationFailure(thrown: unknown, who: UpstreamIdentity): GatewayError {
  const err = errorFrom(thrown);
  if (err.code !== ErrorCodes.UPSTREAM_ERROR) return err;
  const message = sanitizeUpstreamMessage(err.message, who.model, who.hosts);
  return new GatewayError(
    ErrorCodes.UPSTREAM_ERROR,
    `model '${who.model}' gave an answer the gateway cannot translate: ${message}`,
    { details: { model: who.model } },
  );
}
