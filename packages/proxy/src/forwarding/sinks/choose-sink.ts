import type { IncomingHttpHeaders } from 'node:http';
import type { PreparedRequest } from '../../backends/backend.js';
import { relayScrubber } from '../relay-scrubber.js';
import { ErrorBodySink } from './error-body-sink.js';
import { RawBodySink } from './raw-body-sink.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';
import { SsePassThroughSink } from './sse-pass-through-sink.js';
import { TranslatedBodySink } from './translated-body-sink.js';
import { TranslatedStreamSink } from './translated-stream-sink.js';
import { renameModelTo } from './model-rename.js';
import { BodyUsageTapSink, StreamAuditTap, TranslatedStreamTapSink } from './usage-tap.js';
import type { SinkAudit } from './usage-tap.js';

/**
 * The sink for one upstream response, chosen once when it starts: an error status, a stream
 * (relayed or translated), or a body (relayed or translated). A streamed response is
 * committed here (the 200 and SSE headers go out), since its events follow.
 *
 * Every successful response gets the relay scrubber (relay-scrubber.ts) when the gateway holds
 * any secret: each sink passes what it writes to the client through it. A wrapper that must
 * see every response (usage capture for an audit record) wraps the sink chosen below. A translation
 * for another API (e.g. the Responses API) needs nothing here: it is a transform on the
 * prepared request, which the backend sets.
 */
export function chooseSink(
  client: ClientOutput,
  owner: SinkOwner,
  status: number,
  headers: IncomingHttpHeaders,
  prepared: PreparedRequest,
  /** The model name the client asked for: a relayed answer's `model` becomes it. */
  requestedModel: string,
  audit?: SinkAudit,
): ResponseSink {
  const { transform, identity: who } = prepared;
  if (status >= 300) return new ErrorBodySink(owner, status, who);
  const { sse } = client;
  const scrubber = relayScrubber();
  if (sse !== undefined) {
    sse.commit();
    // The audit tap (first token, usage): inside the pass-through sink, which frames the events
    // anyway; around a translating sink, which gets the upstream's chunks unchanged.
    const tap =
      audit === undefined
        ? undefined
        : new StreamAuditTap(
            audit.audit,
            audit.format,
            prepared.usageInjected === true,
            audit.clock,
          );
    if (transform === undefined)
      return new SsePassThroughSink(
        client,
        sse,
        owner,
        scrubber,
        renameModelTo(requestedModel),
        tap,
      );
    const translated = new TranslatedStreamSink(
      client,
      sse,
      owner,
      transform.stream(),
      who,
      scrubber,
    );
    return tap === undefined ? translated : new TranslatedStreamTapSink(translated, tap);
  }
  const body =
    transform === undefined
      ? new RawBodySink(client, owner, status, headers, scrubber, requestedModel)
      : new TranslatedBodySink(client, owner, status, transform, who);
  return audit === undefined ? body : new BodyUsageTapSink(body, audit.audit, audit.format);
}
