import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { AnthropicToOpenAIStream } from '../../translate/anthropic-to-openai-stream.js';
import type { Translators } from '../../translate/load-translators.js';
import { OPENAI_DONE_FRAME } from '../../translate/sse.js';
import { sanitizeUpstreamMessage } from '../../upstream/sanitize-message.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { ResponseTransform, StreamStep, StreamTransform } from './response-transform.js';
import { SseEventReader } from './sse-event-reader.js';
import { parseUpstreamJson, translationFailure } from './upstream-json.js';

export interface AnthropicToOpenAITransformOptions {
  /** Loaded by the backend before it prepares the request (load-translators.ts). */
  translators: Translators;
  /** The model name the client asked for. */
  model: string;
  /** The client's `stream_options.include_usage`. */
  includeUsage: boolean;
  who: UpstreamIdentity;
}

const ERROR_FRAME_START = 'data: {"error":';

/**
 * Responses of the Anthropic Messages API, for a client that speaks OpenAI chat completions:
 * the message becomes a completion, the event sequence becomes chunks, each written as soon
 * as the event that forms it arrives, and the stream always ends with `data: [DONE]`.
 */
export function anthropicToOpenAITransform(
  options: AnthropicToOpenAITransformOptions,
): ResponseTransform {
  return {
    body(upstream: Buffer): string {
      const message = parseUpstreamJson(upstream, options.who);
      try {
        return JSON.stringify(
          options.translators.anthropicToOpenAIResponse(message, { model: options.model }),
        );
      } catch (err) {
        throw translationFailure(err, options.who);
      }
    },
    stream: () => new AnthropicToOpenAIStreamTransform(options),
  };
}

class AnthropicToOpenAIStreamTransform implements StreamTransform {
  private readonly reader = new SseEventReader();
  private readonly translator: AnthropicToOpenAIStream;
  private finished = false;

  constructor(private readonly options: AnthropicToOpenAITransformOptions) {
    this.translator = new options.translators.AnthropicToOpenAIStream({
      model: options.model,
      includeUsage: options.includeUsage,
    });
  }

  push(chunk: Buffer): StreamStep {
    return this.handle(this.reader.push(chunk), false);
  }

  end(): StreamStep {
    return this.handle(this.reader.end(), true);
  }

  private handle(
    events: ReadonlyArray<{ event?: string | undefined; data: string }>,
    ended: boolean,
  ): StreamStep {
    const frames: string[] = [];
    for (const event of events) {
      if (this.finished) break;
      const data = event.event === 'error' ? this.sanitizedError(event.data) : event.data;
      const out = this.translator.push(
        event.event === undefined ? { data } : { event: event.event, data },
      );
      frames.push(...out);
      if (out.at(-1) === OPENAI_DONE_FRAME) {
        this.finished = true;
        return { frames: frames.join(''), failed: failureIn(out) };
      }
      if (event.event === 'message_stop') return this.finish(frames);
    }
    if (ended && !this.finished) return this.finish(frames);
    return { frames: frames.join('') };
  }

  /** Closes the translated stream: usage and `[DONE]`, or an error when message_stop never came. */
  private finish(frames: string[]): StreamStep {
    this.finished = true;
    const out = this.translator.done();
    frames.push(...out);
    const text = frames.join('');
    return out.some((frame) => frame.startsWith(ERROR_FRAME_START))
      ? { frames: text, failed: failureIn(out) }
      : { frames: text, done: true };
  }

  /** An upstream `error` event with its message made safe to show. */
  private sanitizedError(data: string): string {
    try {
      const parsed = JSON.parse(data) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') {
        const { model, hosts } = this.options.who;
        parsed.error.message = sanitizeUpstreamMessage(parsed.error.message, model, hosts);
      }
      return JSON.stringify(parsed);
    } catch {
      return data;
    }
  }
}

/** The error of the error frame a translator ended the stream with. */
function failureIn(frames: readonly string[]): GatewayError {
  const frame = frames.find((f) => f.startsWith(ERROR_FRAME_START));
  const data =
    frame === undefined
      ? {}
      : (JSON.parse(frame.slice('data: '.length)) as {
          error?: { message?: string; code?: string | null };
        });
  const code =
    data.error?.code === 'stream_interrupted'
      ? ErrorCodes.STREAM_INTERRUPTED
      : ErrorCodes.UPSTREAM_ERROR;
  return new GatewayError(code, data.error?.message ?? 'the upstream stream failed');
}
