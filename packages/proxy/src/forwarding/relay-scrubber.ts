import { StreamScrubber, currentSecretMatcher, scrubBody } from '@mlx-gateway/shared/security';

/**
 * The scrubber for one relayed response (streamed or not): every recognisable part of a secret
 * the gateway holds is replaced before a byte reaches the client. Undefined while no secret is
 * registered, so a gateway without keys relays with no work at all; otherwise a chunk without
 * any secret's anchor leaves as the same Buffer (see StreamScrubber).
 */
export function relayScrubber(): StreamScrubber | undefined {
  return currentSecretMatcher('latin1').empty ? undefined : new StreamScrubber();
}

/** A complete body, scrubbed (the same Buffer when there is nothing to scrub). */
export function scrubRelayedBody(body: Buffer): Buffer {
  return scrubBody(body);
}
