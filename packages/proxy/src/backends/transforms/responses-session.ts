import { DROPPED_FIELDS_HEADER } from '../../api/dropped-fields.js';
import type { ServerResponse } from 'node:http';
import { errorFrom, toOpenAIErrorBody } from '@mlx-gateway/shared/errors';
import { SSE_HEARTBEAT as HEARTBEAT } from '../../api/sse-dialect.js';
import type { Translators } from '../../translate/load-translators.js';
import type { ResponseContext } from '../../translate/responses/response-shell.js';
import type { ResponsesResponse } from '../../translate/responses/types.js';
import type { ClientFormat } from '../../api/client-format.js';
import { openAIClientFormat } from '../../api/client-format.js';

/**
 * What one POST /v1/responses shares across its attempts: the response id and echo of the
 * request, the sequence number the stream is at (so that an error end written by the exchange
 * continues it), and where finished responses go (the store).
 */
export class ResponsesSession {
  /** The `sequence_number` the next event of the stream carries. */
  sequence = 0;

  private readonly noted = new Set<string>();

  constructor(
    /** Loaded by the route before the session starts (load-translators.ts). */
    readonly translators: Translators,
    readonly context: ResponseContext,
    private readonly res: ServerResponse,
    /** Called with each response the gateway translated to completion. */
    readonly onResponse: (response: ResponsesResponse) => void,
    /** Logs the fields dropped for a target (once per distinct list). */
    private readonly logDropped: (target: string, fields: string[]) => void = () => {},
  ) {}

  /**
   * Names the fields dropped on the way to `target` in a response header (while headers can
   * still be set) and in the log.
   */
  noteDropped(target: string, fields: readonly string[]): void {
    if (fields.length === 0) return;
    const unique = [...new Set(fields)];
    const key = `${target}:${unique.join(',')}`;
    if (!this.noted.has(key)) {
      this.noted.add(key);
      this.logDropped(target, unique);
    }
    if (!this.res.headersSent) this.res.setHeader(DROPPED_FIELDS_HEADER, unique.join(', '));
  }

  /**
   * The client format of the request: OpenAI's error bodies and heartbeat, and a stream that
   * fails ends with `response.failed` (the Responses API has no `[DONE]`).
   */
  format(): ClientFormat {
    return {
      ...openAIClientFormat,
      heartbeat: HEARTBEAT,
      errorEnd: (thrown) => {
        const err = errorFrom(thrown);
        const body = toOpenAIErrorBody(err).error;
        const response = {
          ...this.translators.responseShell(this.context),
          status: 'failed',
          error: { code: body.code ?? 'server_error', message: body.message },
        };
        return Buffer.from(
          this.translators.responsesFrame({
            type: 'response.failed',
            sequence_number: this.sequence++,
            response,
          }),
        );
      },
    };
  }
}
