import { REDACTED, registeredSecrets, secretGeneration } from './redact.js';
import { SecretMatcher } from './secret-matcher.js';
import type { MatcherEncoding } from './secret-matcher.js';

interface Built {
  generation: number;
  matcher: SecretMatcher;
}

const built: Partial<Record<MatcherEncoding, Built>> = {};
/** The latin1 matcher again, in plain variables: every relayed chunk asks for it. */
let bytesGeneration = -1;
let bytesMatcher: SecretMatcher | undefined;

/**
 * The matcher for every secret registered so far (registerSecret), rebuilt only when the set
 * changes: a call costs one comparison.
 */
export function currentSecretMatcher(encoding: MatcherEncoding = 'utf16'): SecretMatcher {
  const generation = secretGeneration();
  if (encoding === 'latin1' && generation === bytesGeneration && bytesMatcher !== undefined) {
    return bytesMatcher;
  }
  const cached = built[encoding];
  if (cached !== undefined && cached.generation === generation) return cached.matcher;
  const matcher = new SecretMatcher(registeredSecrets(), encoding);
  built[encoding] = { generation, matcher };
  if (encoding === 'latin1') {
    bytesGeneration = generation;
    bytesMatcher = matcher;
  }
  return matcher;
}

/**
 * Replaces every recognisable part of a registered secret in `text` with `[redacted]`: the
 * whole value, a prefix or suffix of 6 or more characters, a masked form such as
 * `sk-proj-abcd****wxyz`. Text without any costs a few substring searches.
 */
export function scrubSecretParts(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  const matcher = currentSecretMatcher();
  return matcher.empty ? text : matcher.scrub(text, REDACTED);
}
