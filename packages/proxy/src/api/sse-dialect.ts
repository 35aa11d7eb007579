import { openAIStreamErrorEvent } from '@mlx-gateway/shared/errors';

/** An SSE comment that keeps a quiet connection open. */
export const SSE_HEARTBEAT = Buffer.from(': keep-alive\n\n');
const DONE_EVENT = Buffer.from('data: [DONE]\n\n');

/** What differs between the SSE dialects of the client APIs (OpenAI, Anthropic). */
export interface SseDialect {
  /** Written whenever nothing else was for a heartbeat interval. */
  readonly heartbeat: Buffer;
  /** The frames that end a failed stream. */
  errorEnd(err: unknown): Buffer;
}

/** OpenAI's: a `: keep-alive` comment, and an error event followed by `[DONE]`. */
export const OPENAI_SSE_DIALECT: SseDialect = {
  heartbeat: SSE_HEARTBEAT,
  errorEnd: (err) => Buffer.concat([Buffer.from(openAIStreamErrorEvent(err)), DONE_EVENT]),
};
