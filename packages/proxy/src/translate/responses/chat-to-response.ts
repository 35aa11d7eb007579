import { isObject } from '../guards.js';
import { upstreamError } from '../translation-error.js';
import type { OpenAIChatCompletion } from '../types.js';
import { itemIdFor, outcome, outputText, responseShell, responsesUsage } from './response-shell.js';
import type { ResponseContext } from './response-shell.js';
import type { ResponsesOutputItem, ResponsesResponse } from './types.js';

/**
 * A chat completion as a Responses API response object: the reasoning (when the backend
 * returns it), the text as one message, each tool call as a `function_call` item (its
 * namespace restored for flattened tool groups); `length` makes the response incomplete.
 */
export function chatToResponse(completion: unknown, context: ResponseContext): ResponsesResponse {
  if (!isObject(completion) || !Array.isArray(completion['choices'])) {
    throw upstreamError('the chat completion has no choices');
  }
  const typed = completion as unknown as OpenAIChatCompletion;
  const choice = typed.choices[0];
  if (choice === undefined) throw upstreamError('the chat completion has no choices');
  const { message } = choice;
  const output: ResponsesOutputItem[] = [];
  const ended = outcome(choice.finish_reason);
  const itemStatus = ended.status === 'completed' ? 'completed' : 'incomplete';
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    output.push({
      type: 'reasoning',
      id: itemIdFor(context, 'rs'),
      summary: [{ type: 'summary_text', text: message.reasoning_content }],
    });
  }
  const text = typeof message.content === 'string' ? message.content : '';
  if (text !== '') {
    output.push({
      type: 'message',
      id: itemIdFor(context, 'msg'),
      status: itemStatus,
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of message.tool_calls ?? []) {
    const namespace = context.namespaces?.get(call.function.name);
    output.push({
      type: 'function_call',
      id: itemIdFor(context, 'fc'),
      call_id: call.id,
      name: call.function.name,
      ...(namespace === undefined ? {} : { namespace }),
      arguments: call.function.arguments,
      status: 'completed',
    });
  }
  return {
    ...responseShell(context),
    ...ended,
    output,
    output_text: outputText(output),
    usage: responsesUsage(typed.usage),
  };
}
