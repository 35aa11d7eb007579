import { toAnthropicErrorType } from './error-types.js';
import { TokenTally } from './estimate-tokens.js';
import { asNumber, asString, isObject } from './guards.js';
import { fallbackToolUseId, newMessageId } from './ids.js';
import { parseToolArguments, reasoningOf } from './openai-fields.js';
import { ANTHROPIC_PING_FRAME, anthropicFrame } from './sse.js';
import { OPENAI_ERROR_FINISH_REASON, toAnthropicStopReason } from './stop-reasons.js';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { upstreamError } from './translation-error.js';
import type { AnthropicUsage, JsonObject } from './types.js';
import { openAIUsageToAnthropic } from './usage.js';

export interface OpenAIToAnthropicStreamOptions {
  /** The model name the client asked for. */
  model: string;
  messageId?: string;
  /**
   * Input tokens for `message_start` (countTokensAnthropic of the request). OpenAI
   * backends report usage only at the end, and a 0 here breaks clients' context display.
   */
  inputTokensEstimate?: number;
}

export interface StreamFailure {
  message: string;
  type?: string;
}

interface ToolState {
  id: string;
  name: string | undefined;
  /** Index of its content block once started (it starts when the name is known). */
  blockIndex: number | undefined;
  /** Arguments that arrived before the name. */
  pendingArgs: string;
  args: string;
  closed: boolean;
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; tool: ToolState };

/**
 * Turns the chunks of an OpenAI chat completion stream into Anthropic Messages SSE
 * frames. Every frame is returned as soon as it can be formed; content blocks never
 * overlap: a block is stopped before the next one starts, and each OpenAI tool call
 * index gets its own tool_use block.
 */
export class OpenAIToAnthropicStream {
  private readonly model: string;
  private readonly messageId: string;
  private readonly inputTokensEstimate: number;
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private readonly tools = new Map<string, ToolState>();
  private finishReason: string | undefined;
  private refused = false;
  private usage: AnthropicUsage | undefined;
  private readonly output = new TokenTally();

  constructor(options: OpenAIToAnthropicStreamOptions) {
    this.model = options.model;
    this.messageId = options.messageId ?? newMessageId();
    this.inputTokensEstimate = Math.max(1, Math.round(options.inputTokensEstimate ?? 1));
  }

  /** `message_start`, if not yet sent. Safe to call before the first chunk. */
  start(): string[] {
    if (this.started || this.finished) return [];
    this.started = true;
    return [
      anthropicFrame('message_start', {
        type: 'message_start',
        message: {
          id: this.messageId,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: this.inputTokensEstimate,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      }),
    ];
  }

  /** One parsed `data:` line of the upstream stream (not `[DONE]`). */
  push(chunk: unknown): string[] {
    if (this.finished) return [];
    if (!isObject(chunk)) {
      return this.fail({ message: 'the backend sent a stream chunk that is not a JSON object' });
    }
    if (chunk.error !== undefined && chunk.error !== null) return this.fail(errorOf(chunk.error));
    const out = this.start();
    try {
      const usage = openAIUsageToAnthropic(chunk.usage);
      if (usage) this.usage = usage;
      for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
        if (!isObject(choice) || (asNumber(choice.index) ?? 0) !== 0) continue;
        const delta = isObject(choice.delta) ? choice.delta : {};
        const reasoning = reasoningOf(delta);
        if (reasoning) out.push(...this.appendText('thinking', reasoning));
        const text = asString(delta.content);
        if (text) out.push(...this.appendText('text', text));
        const refusal = asString(delta.refusal);
        if (refusal) {
          this.refused = true;
          out.push(...this.appendText('text', refusal));
        }
        if (Array.isArray(delta.tool_calls)) {
          for (const call of delta.tool_calls) out.push(...this.toolDelta(call));
        }
        const finish = asString(choice.finish_reason);
        if (finish === OPENAI_ERROR_FINISH_REASON) {
          throw upstreamError('the backend ended the generation with finish_reason "error"');
        }
        if (finish) this.finishReason = finish;
      }
    } catch (error) {
      if (error instanceof GatewayError) return [...out, ...this.fail({ message: error.message })];
      throw error;
    }
    return out;
  }

  /** The upstream stream ended (`[DONE]` or end of body): close the message. */
  done(): string[] {
    if (this.finished) return [];
    const out = this.start();
    try {
      out.push(...this.closeOpen());
    } catch (error) {
      if (error instanceof GatewayError) return [...out, ...this.fail({ message: error.message })];
      throw error;
    }
    this.finished = true;
    const usage = this.usage ?? {
      input_tokens: this.inputTokensEstimate,
      output_tokens: this.output.tokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    const stopReason = this.refused
      ? 'refusal'
      : toAnthropicStopReason(this.finishReason, this.tools.size > 0);
    out.push(
      anthropicFrame('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage,
      }),
      anthropicFrame('message_stop', { type: 'message_stop' }),
    );
    return out;
  }

  /** The stream failed: an Anthropic `error` event, after which nothing more is sent. */
  fail(error: StreamFailure): string[] {
    if (this.finished) return [];
    this.finished = true;
    return [
      anthropicFrame('error', {
        type: 'error',
        error: { type: toAnthropicErrorType(error.type), message: error.message },
      }),
    ];
  }

  /** A heartbeat frame; empty once the stream is finished. */
  ping(): string {
    return this.finished ? '' : ANTHROPIC_PING_FRAME;
  }

  private appendText(kind: 'text' | 'thinking', text: string): string[] {
    const out: string[] = [];
    if (this.open?.kind !== kind) {
      out.push(...this.closeOpen());
      const index = this.nextIndex++;
      this.open = { kind, index };
      out.push(
        anthropicFrame('content_block_start', {
          type: 'content_block_start',
          index,
          content_block:
            kind === 'text'
              ? { type: 'text', text: '' }
              : { type: 'thinking', thinking: '', signature: '' },
        }),
      );
    }
    const index = (this.open as { index: number }).index;
    this.output.add(text);
    out.push(
      anthropicFrame('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta:
          kind === 'text'
            ? { type: 'text_delta', text }
            : { type: 'thinking_delta', thinking: text },
      }),
    );
    return out;
  }

  private toolKey(call: JsonObject): string {
    const index = asNumber(call.index);
    if (index !== undefined) return `#${index}`;
    const id = asString(call.id);
    if (id) return `id:${id}`;
    // Some servers omit both on continuation chunks: they continue the open tool call.
    if (this.open?.kind === 'tool') {
      for (const [key, tool] of this.tools) if (tool === this.open.tool) return key;
    }
    throw upstreamError('the backend sent a tool call delta with neither an index nor an id');
  }

  private toolDelta(call: unknown): string[] {
    if (!isObject(call)) return [];
    const out: string[] = [];
    const key = this.toolKey(call);
    const fn = isObject(call.function) ? call.function : {};
    let tool = this.tools.get(key);
    if (!tool) {
      out.push(...this.closeOpen());
      tool = {
        id: asString(call.id) || fallbackToolUseId(this.messageId, this.tools.size),
        name: undefined,
        blockIndex: undefined,
        pendingArgs: '',
        args: '',
        closed: false,
      };
      this.tools.set(key, tool);
      this.open = { kind: 'tool', tool };
    } else if (tool.closed) {
      throw upstreamError(
        `the backend sent more of tool call '${tool.name ?? tool.id}' after a later content block began`,
      );
    }
    const args = asString(fn.arguments) ?? '';
    if (tool.blockIndex === undefined) {
      const name = asString(fn.name);
      if (!name) {
        tool.pendingArgs += args;
        return out;
      }
      tool.name = name;
      tool.blockIndex = this.nextIndex++;
      out.push(
        anthropicFrame('content_block_start', {
          type: 'content_block_start',
          index: tool.blockIndex,
          content_block: { type: 'tool_use', id: tool.id, name, input: {} },
        }),
      );
      this.output.add(name);
      out.push(...this.toolArgs(tool, tool.pendingArgs + args));
      tool.pendingArgs = '';
      return out;
    }
    out.push(...this.toolArgs(tool, args));
    return out;
  }

  private toolArgs(tool: ToolState, fragment: string): string[] {
    if (fragment === '' || tool.blockIndex === undefined) return [];
    tool.args += fragment;
    this.output.add(fragment);
    return [
      anthropicFrame('content_block_delta', {
        type: 'content_block_delta',
        index: tool.blockIndex,
        delta: { type: 'input_json_delta', partial_json: fragment },
      }),
    ];
  }

  /** Stops the open block. A tool call must have a name and, complete, valid JSON arguments. */
  private closeOpen(): string[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    if (open.kind !== 'tool') {
      return [
        anthropicFrame('content_block_stop', { type: 'content_block_stop', index: open.index }),
      ];
    }
    const tool = open.tool;
    tool.closed = true;
    if (tool.blockIndex === undefined || tool.name === undefined) {
      throw upstreamError(`the backend sent tool call ${tool.id} without a function name`);
    }
    parseToolArguments(tool.args, tool.name, tool.id);
    return [
      anthropicFrame('content_block_stop', { type: 'content_block_stop', index: tool.blockIndex }),
    ];
  }
}

function errorOf(value: unknown): StreamFailure {
  if (typeof value === 'string') return { message: value };
  if (isObject(value)) {
    const message = asString(value.message) ?? 'the backend reported an error';
    const type = asString(value.type);
    return type ? { message, type } : { message };
  }
  return { message: 'the backend reported an error' };
}
