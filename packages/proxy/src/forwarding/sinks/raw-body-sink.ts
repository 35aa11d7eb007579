import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { scrubSecretsMemo } from '@mlx-gateway/shared/security';
import type { StreamScrubber } from '@mlx-gateway/shared/security';
import { scrubRelayedBody } from '../relay-scrubber.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';
import { ModelRenamer, renameModelTo } from './model-rename.js';

/**
 * A non-streamed answer in the client's own API: relayed as it arrives, with the upstream's
 * status, content type and length (when it gave one), its `model` member renamed to the name
 * the client asked for (a JSON body, see model-rename.ts), scrubbed of every secret the gateway
 * holds.
 */
export class RawBodySink implements ResponseSink {
  constructor(
    private readonly client: ClientOutput,
    private readonly owner: SinkOwner,
    private readonly status: number,
    private readonly headers: IncomingHttpHeaders,
    /** Undefined when the gateway holds no secret. */
    private scrubber?: StreamScrubber,
    /** The model name the client asked for; undefined: the body is relayed unrenamed. */
    requestedModel?: string,
  ) {
    const type = headers['content-type'];
    if (requestedModel !== undefined && (type === undefined || /json/i.test(type))) {
      this.renamer = new ModelRenamer(requestedModel);
      this.renameWhole = renameModelTo(requestedModel);
    }
  }

  private renamer: ModelRenamer | undefined;
  private renameWhole: ((body: Buffer) => Buffer) | undefined;

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
    const renamed = this.renamer?.end();
    if (renamed !== undefined && renamed.length > 0) {
      const out = this.scrubbed(renamed);
      client.bodyBytes += out.length;
      client.res.write(out);
    }
    const rest = this.scrubber?.end();
    if (rest !== undefined && rest.length > 0) client.bodyBytes += rest.length;
    client.res.end(rest);
    this.owner.complete();
  }

  /** A chunk renamed, then scrubbed. */
  private scrubbed(chunk: Buffer): Buffer {
    const renamed = this.renamer === undefined ? chunk : this.renamer.push(chunk);
    return this.scrubber === undefined ? renamed : this.scrubber.push(renamed);
  }

  /**
   * Writes the response head on the first body chunk and returns that chunk, renamed and
   * scrubbed. The upstream's length stands when nothing is rewritten; when the whole body is
   * in this chunk (the common case), it is rewritten whole and its new length sent; otherwise
   * the body goes chunked, since rewriting may change its length.
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
    if (this.scrubber === undefined && this.renamer === undefined) {
      if (length !== undefined) headers['content-length'] = length;
    } else if (length !== undefined && Number(length) === first.length) {
      const renamed = this.renameWhole === undefined ? first : this.renameWhole(first);
      out = this.scrubber === undefined ? renamed : scrubRelayedBody(renamed);
      this.scrubber = undefined;
      this.renamer = undefined;
      this.renameWhole = undefined;
      headers['content-length'] = out.length;
    } else {
      out = this.scrubbed(first);
    }
    this.client.res.writeHead(this.status, headers);
    return out;
  }
}
