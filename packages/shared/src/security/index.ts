export { checkUrl, assertSafeUrl } from './ssrf.js';
export type { UrlCheck } from './ssrf.js';
export type { SsrfPolicy } from './ssrf-policy.js';
export { createGuardedLookup } from './guarded-lookup.js';
export type { GuardedResolver } from './guarded-lookup.js';
export { createGuardedAgent } from './guarded-agent.js';
export type { GuardedAgentOptions } from './guarded-agent.js';
export {
  scrubSecrets,
  scrubSecretsMemo,
  registerSecret,
  forgetSecret,
  REDACTED,
} from './redact.js';
export { scrubSecretParts, currentSecretMatcher } from './secret-parts.js';
export { SecretMatcher } from './secret-matcher.js';
export { StreamScrubber, scrubBody } from './stream-scrubber.js';
export { redactDeep, redactHeaders, describeEnv, isSensitiveKey } from './redact-deep.js';
export type { HeadersLike } from './redact-deep.js';
export { writePrivateFileAtomic } from './private-file.js';
