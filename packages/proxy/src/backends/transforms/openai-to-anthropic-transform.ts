import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { OpenAIToAnthropicStream } from '../../translate/openai-to-anthropic-stream.js';
import type { Translators } from '../../translate/load-translators.js';
import { sanitizeUpstreamMessage } from '../../upstream/sanitize-message.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { ResponseTransform, StreamStep, StreamTransform } from './response-transform.js';
import { SseEventReader } from './sse-event-reader.js';
import { parseUpstreamJson, translationFailure } from './upstream-json.js';

export interface OpenAIToAnthropicTransformOptions {
  /** Loaded by the backend before it prepares the request (load-translators.ts). */
  translators: Translators;
  /** The model name the client asked for. */
  model: string;
  /** countTokensAnthropic of the request: usage of `message_start`, and when the upstream has none. */
  inputTokensEstimate: number;
  who: UpstreamIdentity;
}

const ERROR_FRAME_START = 'event: error\n';

/**
 * Responses of an OpenAI-compatible chat completions upstream, for a client that speaks the
 * Anthropic Messages API: the completion becomes a message, the chunk stream becomes the
 * Anthropic event sequence, each event written as soon as the chunk that forms it arrives.
 */
export function openAIToAnthropicTransform(
  options: OpenAIToAnthropicTransformOptions,
): ResponseTransform {
  return {
    body(upstream: Buffer): string {
      const completion = parseUpstreamJson(upstream, options.who);
      try {
        return JSON.stringify(
          options.translators.openAIToAnthropicResponse(completion, {
            model: options.model,
            inputTokensEstimate: options.inputTokensEstimate,
          }),
        );
      } catch (err) {
        throw translationFailure(err, options.who);
      }
    },
    stream: () => new OpenAIToAnthropicStreamTransform(options),
  };
}

class OpenAIToAnthropicStreamTransform implements StreamTransform {
  private readonly reader = new SseEventReader();
  private readonly translator: OpenAIToAnthropicStream;
  private finished = false;

  constructor(private readonly options: OpenAIToAnthropicTransformOptions) {
    this.translator = new options.translators.OpenAIToAnthropicStream({
      model: options.model,
      inputTokensEstimate: options.inputTokensEstimate,
    });
  }

  push(chunk: Buffer): StreamStep {
    return this.handle(this.reader.push(chunk), false);
  }

  end(): StreamStep {
    return this.handle(this.reader.end(), true);
  }

  private handle(events: ReadonlyArray<{ data: string }>, ended: boolean): StreamStep {
    const frames: string[] = [];
    let step: StreamStep | undefined;
    for (const event of events) {
      if (this.finished) break;
      if (event.data === '[DONE]') {
        this.finished = true;
        const out = this.translator.done();
        frames.push(...out);
        const failed = failureIn(out);
        step = failed === undefined ? { frames: '', done: true } : { frames: '', failed };
        break;
      }
      const out = this.translator.push(this.parseChunk(event.data));
      frames.push(...out);
      const failed = failureIn(out);
      if (failed !== undefined) {
        this.finished = true;
        step = { frames: '', failed };
      }
    }
    if (ended && !this.finished) {
      // No [DONE]: the upstream was cut, however cleanly its connection ended.
      this.finished = true;
      const message = `the response of model '${this.options.who.model}' ended before it was complete (no [DONE])`;
      frames.push(...this.translator.fail({ message }));
      step = {
        frames: '',
        failed: new GatewayError(ErrorCodes.STREAM_INTERRUPTED, message, {
          details: { model: this.options.who.model },
        }),
      };
    }
    return { ...step, frames: frames.join('') };
  }

  /** A chunk as JSON, with the message of an upstream error made safe to show. */
  private parseChunk(data: string): unknown {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return undefined; // the translator fails the stream on a chunk that is not an object
    }
    const error = (chunk as { error?: unknown } | null)?.error;
    if (typeof error === 'object' && error !== null && 'message' in error) {
      const message = (error as { message: unknown }).message;
      if (typeof message === 'string') {
        const { model, hosts } = this.options.who;
        (error as { message: string }).message = sanitizeUpstreamMessage(message, model, hosts);
      }
    } else if (typeof error === 'string') {
      const { model, hosts } = this.options.who;
      (chunk as { error: string }).error = sanitizeUpstreamMessage(error, model, hosts);
    }
    return chunk;
  }
}

/** The error of the `event: error` frame a translator ended the stream with, if it did. */
function failureIn(frames: readonly string[]): GatewayError | undefined {
  const frame = frames.find((f) => f.startsWith(ERROR_FRAME_START));
  if (frame === undefined) return undefined;
  const data = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as {
    error?: { message?: string };
  };
  return new GatewayError(
    ErrorCodes.UPSTREAM_ERROR,
    data.error?.message ?? 'the upstream stream failed',
  );
}
