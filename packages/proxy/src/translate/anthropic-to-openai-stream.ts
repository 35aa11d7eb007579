import { toOpenAIErrorType } from './error-types.js';
import { asNumber, asString, isObject } from './guards.js';
import { newCompletionId } from './ids.js';
import { OPENAI_DONE_FRAME, openAIFrame } from './sse.js';
import { toOpenAIFinishReason } from './stop-reasons.js';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { upstreamError } from './translation-error.js';
import type {
  AnthropicUsage,
  JsonObject,
  OpenAIChatCompletionChunk,
  OpenAIChunkDelta,
  OpenAIFinishReason,
} from './types.js';
import { anthropicUsageToOpenAI, readAnthropicUsage } from './usage.js';

export interface AnthropicToOpenAIStreamOptions {
  /** The model name the client asked for. */
  model: string;
  /** Chunk id; defaults to the upstream message id. */
  id?: string;
  /** The client's `stream_options.include_usage`: add the final usage chunk. */
  includeUsage: boolean;
  /** Unix seconds; defaults to now. */
  created?: number;
}

/** One upstream SSE event as parsed (eventsource-parser's `event` and `data`). */
export interface UpstreamEvent {
  event?: string;
  data: string;
}

export interface OpenAIStreamFailure {
  message: string;
  type?: string;
  code?: string;
}

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking'; text: string }
  | { kind: 'redacted_thinking' }
  | { kind: 'tool'; toolIndex: number; argsSent: boolean };

/**
 * Turns Anthropic Messages SSE events into OpenAI chat completion chunks. Tool calls get
 * consecutive `index` values; `id`, `type` and `name` appear only on the first chunk of a
 * tool call; argument fragments are forwarded as they arrive. The stream always ends
 * with `data: [DONE]`, after an error frame when it failed.
 */
export class AnthropicToOpenAIStream {
  private readonly model: string;
  private readonly created: number;
  private readonly includeUsage: boolean;
  private id: string | undefined;
  private started = false;
  private finished = false;
  private stopped = false;
  private finishSent = false;
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 };

  constructor(options: AnthropicToOpenAIStreamOptions) {
    this.model = options.model;
    this.id = options.id;
    this.includeUsage = options.includeUsage;
    this.created = options.created ?? Math.floor(Date.now() / 1000);
  }

  push(event: UpstreamEvent): string[] {
    if (this.finished) return [];
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return this.fail({ message: 'the backend sent a stream event whose data is not JSON' });
    }
    if (!isObject(data)) {
      return this.fail({ message: 'the backend sent a stream event that is not a JSON object' });
    }
    const type = asString(data.type) ?? event.event;
    if (type === 'error') {
      const error = isObject(data.error) ? data.error : {};
      const failure: OpenAIStreamFailure = {
        message: asString(error.message) ?? 'the backend reported an error',
      };
      const errorType = asString(error.type);
      if (errorType) failure.type = errorType;
      return this.fail(failure);
    }
    try {
      return this.handle(type, data);
    } catch (error) {
      if (error instanceof GatewayError) {
        return this.fail({ message: error.message, code: error.code.toLowerCase() });
      }
      throw error;
    }
  }

  /** The upstream stream ended: finish reason, usage (when asked for) and `[DONE]`. */
  done(): string[] {
    if (this.finished) return [];
    if (!this.stopped) {
      return this.fail({
        message: 'the backend stream ended before message_stop',
        code: 'stream_interrupted',
      });
    }
    this.finished = true;
    const out = this.start();
    if (!this.finishSent) out.push(this.finishChunk(toOpenAIFinishReason(undefined)));
    if (this.includeUsage) {
      out.push(
        openAIFrame({
          id: this.chunkId(),
          object: 'chat.completion.chunk',
          created: this.created,
          model: this.model,
          choices: [],
          usage: anthropicUsageToOpenAI(this.usage),
        }),
      );
    }
    out.push(OPENAI_DONE_FRAME);
    return out;
  }

  /** The stream failed: an OpenAI error frame, then `[DONE]`. */
  fail(error: OpenAIStreamFailure): string[] {
    if (this.finished) return [];
    this.finished = true;
    return [
      openAIFrame({
        error: {
          message: error.message,
          type: toOpenAIErrorType(error.type),
          param: null,
          code: error.code ?? null,
        },
      }),
      OPENAI_DONE_FRAME,
    ];
  }

  private handle(type: string | undefined, data: JsonObject): string[] {
    switch (type) {
      case 'message_start': {
        const message = isObject(data.message) ? data.message : {};
        this.id ??= asString(message.id);
        this.usage = readAnthropicUsage(message.usage, this.usage);
        return this.start();
      }
      case 'content_block_start':
        return [...this.start(), ...this.blockStart(data)];
      case 'content_block_delta':
        return [...this.start(), ...this.blockDelta(data)];
      case 'content_block_stop':
        return [...this.start(), ...this.blockStop(data)];
      case 'message_delta': {
        this.usage = readAnthropicUsage(data.usage, this.usage);
        const delta = isObject(data.delta) ? data.delta : {};
        if (!('stop_reason' in delta) || this.finishSent) return this.start();
        const out = this.start();
        out.push(this.finishChunk(toOpenAIFinishReason(asString(delta.stop_reason))));
        return out;
      }
      case 'message_stop':
        this.stopped = true;
        return [];
      // `ping` (the proxy sends its own heartbeats) and event types added to the API later,
      // which Anthropic asks clients to ignore.
      default:
        return [];
    }
  }

  private start(): string[] {
    if (this.started) return [];
    this.started = true;
    return [this.chunk({ role: 'assistant', content: '' })];
  }

  private blockIndex(data: JsonObject): number {
    const index = asNumber(data.index);
    if (index === undefined)
      throw upstreamError('the backend sent a content block event without an index');
    return index;
  }

  private blockStart(data: JsonObject): string[] {
    const index = this.blockIndex(data);
    const block = isObject(data.content_block) ? data.content_block : {};
    switch (block.type) {
      case 'text': {
        this.blocks.set(index, { kind: 'text' });
        const text = asString(block.text);
        return text ? [this.chunk({ content: text })] : [];
      }
      case 'thinking': {
        const text = asString(block.thinking) ?? '';
        this.blocks.set(index, { kind: 'thinking', text });
        return text ? [this.chunk({ reasoning_content: text })] : [];
      }
      case 'redacted_thinking':
        this.blocks.set(index, { kind: 'redacted_thinking' });
        return [
          this.chunk({
            thinking_blocks: [{ type: 'redacted_thinking', data: asString(block.data) ?? '' }],
          }),
        ];
      case 'tool_use': {
        const id = asString(block.id);
        const name = asString(block.name);
        if (!id || !name)
          throw upstreamError('the backend started a tool_use block without an id or name');
        const toolIndex = this.toolCount++;
        const input = isObject(block.input) ? block.input : {};
        const initial = Object.keys(input).length > 0 ? JSON.stringify(input) : '';
        this.blocks.set(index, { kind: 'tool', toolIndex, argsSent: initial !== '' });
        return [
          this.chunk({
            tool_calls: [
              { index: toolIndex, id, type: 'function', function: { name, arguments: initial } },
            ],
          }),
        ];
      }
      default:
        throw upstreamError(
          `the backend sent a content block of type '${String(block.type)}', which has no OpenAI equivalent`,
        );
    }
  }

  private blockDelta(data: JsonObject): string[] {
    const index = this.blockIndex(data);
    const state = this.blocks.get(index);
    if (!state)
      throw upstreamError(`the backend sent a delta for content block ${index}, which is not open`);
    const delta = isObject(data.delta) ? data.delta : {};
    switch (delta.type) {
      case 'text_delta': {
        const text = asString(delta.text);
        return text ? [this.chunk({ content: text })] : [];
      }
      case 'thinking_delta': {
        const text = asString(delta.thinking);
        if (!text || state.kind !== 'thinking') return [];
        state.text += text;
        return [this.chunk({ reasoning_content: text })];
      }
      case 'signature_delta': {
        const signature = asString(delta.signature);
        if (!signature || state.kind !== 'thinking') return [];
        return [
          this.chunk({ thinking_blocks: [{ type: 'thinking', thinking: state.text, signature }] }),
        ];
      }
      case 'input_json_delta': {
        const fragment = asString(delta.partial_json);
        if (!fragment || state.kind !== 'tool') return [];
        state.argsSent = true;
        return [
          this.chunk({
            tool_calls: [{ index: state.toolIndex, function: { arguments: fragment } }],
          }),
        ];
      }
      // Citations point into documents and search results, which are never sent from an
      // OpenAI request; the cited text itself arrives as text_delta.
      case 'citations_delta':
        return [];
      default:
        throw upstreamError(
          `the backend sent a delta of type '${String(delta.type)}', which has no OpenAI equivalent`,
        );
    }
  }

  private blockStop(data: JsonObject): string[] {
    const index = this.blockIndex(data);
    const state = this.blocks.get(index);
    this.blocks.delete(index);
    // A tool call without arguments still needs valid JSON arguments on the OpenAI side.
    if (state?.kind === 'tool' && !state.argsSent) {
      return [
        this.chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: '{}' } }] }),
      ];
    }
    return [];
  }

  private chunkId(): string {
    this.id ??= newCompletionId();
    return this.id;
  }

  private chunk(delta: OpenAIChunkDelta): string {
    const chunk: OpenAIChatCompletionChunk = {
      id: this.chunkId(),
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    };
    return openAIFrame(chunk);
  }

  private finishChunk(reason: OpenAIFinishReason): string {
    this.finishSent = true;
    const chunk: OpenAIChatCompletionChunk = {
      id: this.chunkId(),
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: reason }],
    };
    return openAIFrame(chunk);
  }
}
