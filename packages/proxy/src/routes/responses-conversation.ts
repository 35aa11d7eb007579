import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { ownedBy } from '../state/response-store.js';
import type { ResponseStore } from '../state/response-store.js';
import type { ResponsesInputItem, ResponsesRequest } from '../translate/responses/index.js';

/** A request's conversation with its earlier turns filled in from the store. */
export interface Conversation {
  /** The request as the backend gets it: no `previous_response_id`, the whole conversation. */
  body: ResponsesRequest;
  /** Every input item of the conversation so far: what the store keeps with the answer. */
  input: ResponsesInputItem[];
  /** The body changed (the client's bytes cannot be forwarded as they are). */
  expanded: boolean;
}

function inputItems(input: ResponsesRequest['input']): ResponsesInputItem[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return input;
}

/** OpenAI's 404 for a response id it does not know (or no longer keeps). */
export function responseNotFound(id: string, param?: string): GatewayError {
  const what = param === undefined ? 'Response' : 'Previous response';
  return new GatewayError(ErrorCodes.NOT_FOUND, `${what} with id '${id}' not found.`, {
    ...(param === undefined ? {} : { param }),
  });
}

/**
 * Continues a stored conversation: with `previous_response_id`, the stored input and output
 * of that response come before this request's input (its `instructions` are not carried over,
 * as on OpenAI). An id the store does not have is a 404, unless `passThrough` says the request
 * goes to OpenAI untouched, which keeps its own responses.
 */
export async function continueConversation(
  body: ResponsesRequest,
  store: ResponseStore,
  passThrough: boolean,
  client: string | undefined,
): Promise<Conversation> {
  const previousId = body.previous_response_id;
  const own = inputItems(body.input);
  if (typeof previousId !== 'string') return { body, input: own, expanded: false };
  const found = await store.get(previousId);
  const previous = found !== undefined && ownedBy(found, client) ? found : undefined;
  if (previous === undefined) {
    if (passThrough) return { body, input: own, expanded: false };
    throw responseNotFound(previousId, 'previous_response_id');
  }
  const input = [
    ...previous.input,
    ...(previous.response.output as unknown as ResponsesInputItem[]),
    ...own,
  ];
  const { previous_response_id: _omitted, ...rest } = body;
  return { body: { ...rest, input }, input, expanded: true };
}
