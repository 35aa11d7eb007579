import type { ResponsesInputItem, ResponsesResponse } from '../translate/responses/index.js';

/** A response the gateway answered, and the conversation that led to it. */
export interface StoredResponse {
  response: ResponsesResponse;
  /**
   * Every input item of the conversation up to this response, earlier turns' outputs included
   * (`previous_response_id` continues from these plus `response.output`).
   */
  input: ResponsesInputItem[];
  /** The client key that made it (absent when the gateway has no client keys). */
  owner?: string;
}

/**
 * Where the Responses API's state lives (`store: true`, OpenAI's default): responses kept for a
 * time-to-live, so that `previous_response_id` and GET/DELETE /v1/responses/{id} work.
 */
export interface ResponseStore {
  put(stored: StoredResponse): Promise<void>;
  /** Undefined when the id is unknown or expired. */
  get(id: string): Promise<StoredResponse | undefined>;
  /** True when the id was there. */
  delete(id: string): Promise<boolean>;
}

/**
 * Whether `client` may see a stored response: its owner only, once the gateway has client keys
 * (ids are unguessable, but one client still never reads or continues another's conversation).
 */
export function ownedBy(stored: StoredResponse, client: string | undefined): boolean {
  return stored.owner === client;
}

/** The default time-to-live of a stored response: an hour. */
export const DEFAULT_RESPONSE_TTL_MS = 60 * 60 * 1000;
