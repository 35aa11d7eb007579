import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ChatToResponsesStream } from '../../translate/responses/chat-to-response-stream.js';
import { sanitizeUpstreamMessage } from '../../upstream/sanitize-message.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { ResponseTransform, StreamStep, StreamTransform } from './response-transform.js';
import type { ResponsesSession } from './responses-session.js';
import { SseEventReader } from './sse-event-reader.js';
import { parseUpstreamJson, translationFailure } from './upstream-json.js';

export interface ResponsesTransformOptions {
  session: ResponsesSession;
  who: UpstreamIdentity;
  /**
   * The translation the inner backend already applies to reach chat completions (Anthropic's
   * API → chat completions): composed in front of this one, so no third translator exists.
   */
  inner?: ResponseTransform | undefined;
}

/**
 * Chat completion answers (or whatever `inner` turns into them) for a Responses API client:
 * the completion becomes a response object, the chunk stream the typed event stream, each event
 * written as soon as the chunk that forms it arrives. Completed responses go to the session.
 */
export function responsesTransform(options: ResponsesTransformOptions): ResponseTransform {
  const { session, who, inner } = options;
  return {
    body(upstream: Buffer): string {
      const chat = inner === undefined ? upstream : Buffer.from(inner.body(upstream));
      const completion = parseUpstreamJson(chat, who);
      let response;
      try {
        response = session.translators.chatToResponse(completion, session.context);
      } catch (err) {
        throw translationFailure(err, who);
      }
      session.onResponse(response);
      return JSON.stringify(response);
    },
    stream: () => new ResponsesStreamTransform(options, inner?.stream()),
  };
}

class ResponsesStreamTransform implements StreamTransform {
  private readonly reader = new SseEventReader();
  private readonly translator: ChatToResponsesStream;
  private finished = false;

  constructor(
    private readonly options: ResponsesTransformOptions,
    private readonly inner: StreamTransform | undefined,
  ) {
    this.translator = new options.session.translators.ChatToResponsesStream(
      options.session.context,
    );
    options.session.sequence = 0;
  }

  push(chunk: Buffer): StreamStep {
    if (this.inner === undefined) return this.handle(this.reader.push(chunk), false);
    return this.fromInner(this.inner.push(chunk), false);
  }

  end(): StreamStep {
    if (this.inner === undefined) return this.handle(this.reader.end(), true);
    return this.fromInner(this.inner.end(), true);
  }

  /** The inner translation's chat frames, read as if an upstream had sent them. */
  private fromInner(step: StreamStep, ended: boolean): StreamStep {
    const events = this.reader.push(Buffer.from(step.frames));
    if (step.failed !== undefined) {
      // Its error frame fails the translation with the upstream's (sanitised) message.
      const out = this.handle(events, false);
      if (out.failed !== undefined) return out;
      const frames = this.translator.fail({ message: step.failed.message });
      return this.finish(out.frames + frames.join(''), step.failed);
    }
    if (step.done === true) return this.handle([...events, ...this.reader.end()], true);
    return this.handle(ended ? [...events, ...this.reader.end()] : events, ended);
  }

  private handle(events: ReadonlyArray<{ data: string }>, ended: boolean): StreamStep {
    const frames: string[] = [];
    for (const event of events) {
      if (this.finished) break;
      if (event.data === '[DONE]') {
        frames.push(...this.translator.done());
        this.finished = true;
        break;
      }
      frames.push(...this.translator.push(this.parseChunk(event.data)));
      if (this.translator.failure !== undefined) this.finished = true;
    }
    if (ended && !this.finished) {
      const message = `the response of model '${this.options.who.model}' ended before it was complete (no [DONE])`;
      frames.push(...this.translator.fail({ message }));
      this.finished = true;
    }
    this.options.session.sequence = this.translator.nextSequenceNumber;
    const text = frames.join('');
    const failure = this.translator.failure;
    if (failure !== undefined) {
      return this.finish(
        text,
        new GatewayError(ErrorCodes.UPSTREAM_ERROR, failure.message, {
          details: { model: this.options.who.model },
        }),
      );
    }
    const response = this.translator.response;
    if (this.finished && response !== undefined) {
      this.options.session.onResponse(response);
      return { frames: text, done: true };
    }
    return { frames: text };
  }

  private finish(frames: string, failed: GatewayError): StreamStep {
    this.finished = true;
    this.options.session.sequence = this.translator.nextSequenceNumber;
    return { frames, failed };
  }

  /** A chunk as JSON, with the message of an upstream error made safe to show. */
  private parseChunk(data: string): unknown {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return undefined;
    }
    const error = (chunk as { error?: unknown } | null)?.error;
    if (typeof error === 'object' && error !== null && 'message' in error) {
      const { model, hosts } = this.options.who;
      const message = (error as { message: unknown }).message;
      if (typeof message === 'string') {
        (error as { message: string }).message = sanitizeUpstreamMessage(message, model, hosts);
      }
    }
    return chunk;
  }
}
