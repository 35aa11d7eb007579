/**
 * Every translator the request path uses: the chat completions <-> Messages translators, the
 * Responses API's, the capability checks and the token estimate. Not imported statically by
 * any production module: load-translators.ts imports it on the first request that translates.
 */
export * from './index.js';
export * from './responses/index.js';
