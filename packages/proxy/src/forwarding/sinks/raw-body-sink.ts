import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { scrubSecretsMemo } from '@mlx-gateway/shared/security';
import type { StreamScrubber } from '@mlx-gateway/shared/security';
import { scrubRelayedBody } from '../relay-scrubber.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';

/**
 * A non-streamed answer in the client's own API: relayed as it arrives, with the upstream's
 * status, content type and length (when it gave one), scrubbed of every secret the gateway holds.
 */
export class RawBodySink implements ResponseSink {
  constructor(
    private readonly client: ClientOutput,
    private readonly owner: SinkOwner,
    private readonly status: number,
    private readonly headers: IncomingHttpHeaders,
    /** Undefined when the gateway holds no secret. */
    private scrubber?: StreamScrubber,
  ) {}

  data(chunk: Buffer): void {
    const { client } = this;
    const out = client.res.headersSent ? this.scrubbed(chunk) : this.writeHead(chunk);
    client.contentSent = true;
    client.bodyBytes += out.length;
    if (!client.res.write(out)) this.owner.backpressure();
  }

  end(): void {
    const { client } = this;
    if (!client.res.headersSent) this.writeHead(Buffer.alloc(0));
    const rest = this.scrubber?.end();
    if (rest !== undefined && rest.length > 0) client.bodyBytes += rest.length;
    client.res.end(rest);
    this.owner.complete();
  }

  private scrubbed(chunk: Buffer): Buffer {
    return this.scrubber === undefined ? chunk : this.scrubber.push(chunk);
  }

  /**
   * Writes the response head on the first body chunk and returns that chunk, scrubbed. The
   * upstream's length stands when nothing is scrubbed or the whole body is in this chunk (the
   * common case: then it is scrubbed whole and its new length sent); otherwise the body goes
   * chunked, since scrubbing may change its length.
   */
  private writeHead(first: Buffer): Buffer {
    const upstream = this.headers;
    const type = upstream['content-type'];
    const headers: OutgoingHttpHeaders = {
      'content-type': type === undefined ? 'application/json' : scrubSecretsMemo(type),
      'x-request-id': this.client.reqId,
    };
    const length = upstream['content-length'];
    let out = first;
    if (this.scrubber === undefined) {
      if (length !== undefined) headers['content-length'] = length;
    } else if (length !== undefined && Number(length) === first.length) {
      out = scrubRelayedBody(first);
      this.scrubber = undefined;
      headers['content-length'] = out.length;
    } else {
      out = this.scrubber.push(first);
    }
    this.client.res.writeHead(this.status, headers);
    return out;
  }
}
