import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared/errors';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { ResponseTransform } from '../../backends/transforms/response-transform.js';
import { scrubRelayedBody } from '../relay-scrubber.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';

/** Most bytes of a non-streamed upstream body the proxy holds to translate it. */
const TRANSLATED_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * A non-streamed answer from an upstream that speaks another API than the client: held until
 * complete (a JSON body cannot be translated in parts), then translated and sent with its own
 * length.
 */
export class TranslatedBodySink implements ResponseSink {
  private readonly parts: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly client: ClientOutput,
    private readonly owner: SinkOwner,
    private readonly status: number,
    private readonly transform: ResponseTransform,
    private readonly who: UpstreamIdentity,
  ) {}

  data(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > TRANSLATED_BODY_LIMIT) {
      this.owner.fail(
        new GatewayError(
          ErrorCodes.UPSTREAM_ERROR,
          `the answer of model '${this.who.model}' is larger than ${TRANSLATED_BODY_LIMIT} bytes and cannot be translated; ask for a stream`,
        ),
      );
      return;
    }
    this.parts.push(chunk);
  }

  end(): void {
    let body: Buffer;
    try {
      body = scrubRelayedBody(Buffer.from(this.transform.body(Buffer.concat(this.parts))));
    } catch (err) {
      this.owner.fail(errorFrom(err));
      return;
    }
    const { client } = this;
    const length = body.length;
    client.res.writeHead(this.status, {
      'content-type': 'application/json',
      'content-length': length,
      'x-request-id': client.reqId,
    });
    client.contentSent = true;
    client.bodyBytes += length;
    client.res.end(body);
    this.owner.complete();
  }
}
