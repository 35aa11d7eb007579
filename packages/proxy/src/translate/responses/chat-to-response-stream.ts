import { isObject } from '../guards.js';
import type { OpenAIChatCompletionChunk, OpenAIUsage } from '../types.js';
import { itemIdFor, outcome, outputText, responseShell, responsesUsage } from './response-shell.js';
import type { ResponseContext } from './response-shell.js';
import type {
  ResponsesFunctionCallOutput,
  ResponsesOutputItem,
  ResponsesResponse,
} from './types.js';

/** Why a translated stream ended badly, for its `response.failed` event. */
export interface ResponsesStreamFailure {
  message: string;
  code?: string;
}

/** One SSE frame of the Responses stream: `event: <type>` and the event as data. */
export function responsesFrame(event: { type: string } & Record<string, unknown>): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

interface OpenText {
  kind: 'message' | 'reasoning';
  index: number;
  id: string;
  text: string;
}

interface OpenCall {
  index: number;
  item: ResponsesFunctionCallOutput;
}

/**
 * Chat completion chunks → the typed Responses event stream. Every event carries its
 * `sequence_number`; items get their `output_index` in order of arrival (reasoning, text and
 * tool calls may interleave), text parts their `content_index`. Each call returns the frames the
 * chunk completes, so every event reaches the client as soon as the chunk that forms it arrives.
 */
export class ChatToResponsesStream {
  private sequence = 0;
  private started = false;
  private finished = false;
  private readonly output: ResponsesOutputItem[] = [];
  private text: OpenText | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: string | null = null;
  private usage: OpenAIUsage | undefined;
  private failedWith: ResponsesStreamFailure | undefined;
  private final: ResponsesResponse | undefined;

  constructor(private readonly context: ResponseContext) {}

  /** Set once the stream ended with `response.failed`. */
  get failure(): ResponsesStreamFailure | undefined {
    return this.failedWith;
  }

  /** The final response object, once `response.completed` or `.incomplete` was sent. */
  get response(): ResponsesResponse | undefined {
    return this.final;
  }

  /** The number the next event will carry (for an error end written by someone else). */
  get nextSequenceNumber(): number {
    return this.sequence;
  }

  /** `response.created` and `response.in_progress`, once. */
  start(): string[] {
    if (this.started) return [];
    this.started = true;
    const shell = responseShell(this.context);
    return [
      this.event('response.created', { response: shell }),
      this.event('response.in_progress', { response: shell }),
    ];
  }

  push(chunk: unknown): string[] {
    if (this.finished) return [];
    const frames = this.start();
    if (!isObject(chunk))
      return [
        ...frames,
        ...this.fail({ message: 'the backend sent a stream chunk that is not a JSON object' }),
      ];
    const error = chunk['error'];
    if (error !== undefined && error !== null) {
      const message =
        isObject(error) && typeof error['message'] === 'string' ? error['message'] : String(error);
      return [
        ...frames,
        ...this.fail({
          message: `the backend failed mid-stream: ${message}`,
          code: 'server_error',
        }),
      ];
    }
    const typed = chunk as unknown as OpenAIChatCompletionChunk;
    if (isObject(typed.usage)) this.usage = typed.usage;
    for (const choice of typed.choices ?? []) {
      const delta = choice.delta ?? {};
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
        frames.push(...this.textDelta('reasoning', delta.reasoning_content));
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        frames.push(...this.textDelta('message', delta.content));
      }
      for (const call of delta.tool_calls ?? []) frames.push(...this.callDelta(call));
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return frames;
  }

  /** The upstream said `[DONE]`: every open item closes, then the response completes. */
  done(): string[] {
    if (this.finished) return [];
    const frames = [...this.start(), ...this.closeText(), ...this.closeCalls()];
    this.finished = true;
    const ended = outcome(this.finishReason);
    this.final = {
      ...responseShell(this.context),
      ...ended,
      output: this.output,
      output_text: outputText(this.output),
      usage: responsesUsage(this.usage),
    };
    const type = ended.status === 'completed' ? 'response.completed' : 'response.incomplete';
    frames.push(this.event(type, { response: this.final }));
    return frames;
  }

  /** The stream broke: `response.failed` with the reason; nothing may follow. */
  fail(failure: ResponsesStreamFailure): string[] {
    if (this.finished) return [];
    const frames = this.start();
    this.finished = true;
    this.failedWith = failure;
    this.markPartialOutput();
    const response = {
      ...responseShell(this.context),
      status: 'failed',
      error: { code: failure.code ?? 'server_error', message: failure.message },
      output: this.output,
      output_text: outputText(this.output),
      usage: responsesUsage(this.usage),
    };
    frames.push(this.event('response.failed', { response }));
    return frames;
  }

  /** The output of a stream cut short: the items still open, with what they had, incomplete. */
  private markPartialOutput(): void {
    const open = this.text;
    if (open !== undefined) {
      this.output[open.index] =
        open.kind === 'message'
          ? {
              type: 'message',
              id: open.id,
              status: 'incomplete',
              role: 'assistant',
              content: [{ type: 'output_text', text: open.text, annotations: [], logprobs: [] }],
            }
          : {
              type: 'reasoning',
              id: open.id,
              summary: [{ type: 'summary_text', text: open.text }],
            };
    }
    for (const { item } of this.calls.values()) item.status = 'incomplete';
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return responsesFrame({ type, sequence_number: this.sequence++, ...fields });
  }

  private textDelta(kind: OpenText['kind'], delta: string): string[] {
    const frames: string[] = [];
    if (this.text?.kind !== kind) {
      // Items follow one another: whatever is open closes before the next item opens.
      frames.push(...this.closeText(), ...this.closeCalls());
      frames.push(...this.openText(kind));
    }
    const open = this.text as OpenText;
    open.text += delta;
    const where = { item_id: open.id, output_index: open.index };
    frames.push(
      kind === 'message'
        ? this.event('response.output_text.delta', {
            ...where,
            content_index: 0,
            delta,
            logprobs: [],
          })
        : this.event('response.reasoning_summary_text.delta', {
            ...where,
            summary_index: 0,
            delta,
          }),
    );
    return frames;
  }

  private openText(kind: OpenText['kind']): string[] {
    const index = this.output.length;
    const id = itemIdFor(this.context, kind === 'message' ? 'msg' : 'rs');
    this.text = { kind, index, id, text: '' };
    if (kind === 'message') {
      const item = { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] };
      this.output.push({ ...item, content: [] } as unknown as ResponsesOutputItem);
      return [
        this.event('response.output_item.added', { output_index: index, item }),
        this.event('response.content_part.added', {
          item_id: id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      ];
    }
    const item = { type: 'reasoning', id, summary: [] };
    this.output.push({ ...item, summary: [] } as ResponsesOutputItem);
    return [
      this.event('response.output_item.added', { output_index: index, item }),
      this.event('response.reasoning_summary_part.added', {
        item_id: id,
        output_index: index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      }),
    ];
  }

  private closeText(): string[] {
    const open = this.text;
    if (open === undefined) return [];
    this.text = undefined;
    const where = { item_id: open.id, output_index: open.index };
    if (open.kind === 'message') {
      const part = { type: 'output_text' as const, text: open.text, annotations: [], logprobs: [] };
      const item: ResponsesOutputItem = {
        type: 'message',
        id: open.id,
        status: outcome(this.finishReason).status === 'incomplete' ? 'incomplete' : 'completed',
        role: 'assistant',
        content: [part],
      };
      this.output[open.index] = item;
      return [
        this.event('response.output_text.done', {
          ...where,
          content_index: 0,
          text: open.text,
          logprobs: [],
        }),
        this.event('response.content_part.done', { ...where, content_index: 0, part }),
        this.event('response.output_item.done', { output_index: open.index, item }),
      ];
    }
    const part = { type: 'summary_text' as const, text: open.text };
    const item: ResponsesOutputItem = { type: 'reasoning', id: open.id, summary: [part] };
    this.output[open.index] = item;
    return [
      this.event('response.reasoning_summary_text.done', {
        ...where,
        summary_index: 0,
        text: open.text,
      }),
      this.event('response.reasoning_summary_part.done', { ...where, summary_index: 0, part }),
      this.event('response.output_item.done', { output_index: open.index, item }),
    ];
  }

  private callDelta(delta: {
    index: number;
    id?: string;
    function?: { name?: string; arguments?: string };
  }): string[] {
    const frames: string[] = [];
    let open = this.calls.get(delta.index);
    if (open === undefined) {
      frames.push(...this.closeText());
      const name = delta.function?.name ?? '';
      const namespace = this.context.namespaces?.get(name);
      const item: ResponsesFunctionCallOutput = {
        type: 'function_call',
        id: itemIdFor(this.context, 'fc'),
        call_id: delta.id ?? `call_${this.output.length}`,
        name,
        ...(namespace === undefined ? {} : { namespace }),
        arguments: '',
        status: 'in_progress',
      };
      open = { index: this.output.length, item };
      this.calls.set(delta.index, open);
      this.output.push(item);
      frames.push(
        this.event('response.output_item.added', { output_index: open.index, item: { ...item } }),
      );
    }
    const args = delta.function?.arguments ?? '';
    if (args !== '') {
      open.item.arguments += args;
      frames.push(
        this.event('response.function_call_arguments.delta', {
          item_id: open.item.id,
          output_index: open.index,
          delta: args,
        }),
      );
    }
    return frames;
  }

  private closeCalls(): string[] {
    const frames: string[] = [];
    for (const { index, item } of this.calls.values()) {
      item.status = 'completed';
      frames.push(
        this.event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: index,
          name: item.name,
          arguments: item.arguments,
        }),
        this.event('response.output_item.done', { output_index: index, item: { ...item } }),
      );
    }
    this.calls.clear();
    return frames;
  }
}
