/** The paths of the Anthropic Messages API the proxy serves. */
export const ANTHROPIC_MESSAGES_PATH = '/v1/messages';
export const ANTHROPIC_COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/**
 * Whether a request path belongs to the Anthropic-format API (`/v1/messages` and everything
 * below it). Errors on these paths, from any middleware, are answered in Anthropic's format.
 */
export function isAnthropicApiPath(path: string): boolean {
  return (
    path === ANTHROPIC_MESSAGES_PATH ||
    (path.length > ANTHROPIC_MESSAGES_PATH.length &&
      path.startsWith(ANTHROPIC_MESSAGES_PATH) &&
      path[ANTHROPIC_MESSAGES_PATH.length] === '/')
  );
}
