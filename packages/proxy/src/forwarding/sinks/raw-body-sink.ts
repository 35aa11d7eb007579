import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';

/**
 * A non-streamed answer in the client's own API: relayed byte for byte as it arrives, with the
 * upstream's status, content type and length (when it gave one).
 */
export class RawBodySink implements ResponseSink {
  constructor(
    private readonly client: ClientOutput,
    private readonly owner: SinkOwner,
    private readonly status: number,
    private readonly headers: IncomingHttpHeaders,
  ) {}

  data(chunk: Buffer): void {
    const { client } = this;
    if (!client.res.headersSent) this.writeHead();
    client.contentSent = true;
    client.bodyBytes += chunk.length;
    if (!client.res.write(chunk)) this.owner.backpressure();
  }

  end(): void {
    const { res } = this.client;
    if (!res.headersSent) this.writeHead();
    res.end();
    this.owner.complete();
  }

  private writeHead(): void {
    const upstream = this.headers;
    const headers: OutgoingHttpHeaders = {
      'content-type': upstream['content-type'] ?? 'application/json',
      'x-request-id': this.client.reqId,
    };
    const length = upstream['content-length'];
    if (length !== undefined) headers['content-length'] = length;
    this.client.res.writeHead(this.status, headers);
  }
}
