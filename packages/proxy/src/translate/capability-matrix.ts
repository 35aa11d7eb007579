/**
 * What happens to each request feature when a request crosses from one API to the other.
 * This is data: the capability check walks it, the docs list it, and a test keeps the two
 * in step. Every feature is either translated, rejected with UNSUPPORTED_FEATURE, or
 * ignored because it has no equivalent (the note says why that is acceptable).
 */

import type { JsonObject } from './types.js';

export type Disposition = 'translated' | 'ignored' | 'rejected';

/** Where a feature shows up in a request. */
export type FeatureLocation =
  /** a top-level request field */
  | { in: 'request'; key: string }
  /** a message with one of these roles */
  | { in: 'message'; roles: readonly string[] }
  /** a field set on any message */
  | { in: 'message-field'; key: string }
  /** a content part or block of one of these types, in any message or tool result */
  | { in: 'content'; types: readonly string[] }
  /** a field set on any content part or block */
  | { in: 'content-field'; key: string }
  /** a tool definition */
  | { in: 'tool' };

export interface FeatureContext {
  request: JsonObject;
  /** The object holding the value: the message, content part or request. */
  parent: JsonObject;
}

export interface CapabilityEntry {
  /** Human name, used in error messages and in docs/translation.md. */
  feature: string;
  location: FeatureLocation;
  disposition: Disposition;
  /** What the translation does, or why the feature is rejected or ignored. */
  note: string;
  /**
   * For an ignored feature: the field as the client wrote it (`context_management`,
   * `tools[].defer_loading`), named in the `x-mlx-gateway-dropped-fields` response header and
   * the request log. Defaults to `feature`.
   */
  field?: string;
  /** Narrows the entry to some values; without it any set value (not null) matches. */
  when?: (value: unknown, context: FeatureContext) => boolean;
}

export interface CapabilityMatrix {
  /** The API the client speaks. */
  source: 'OpenAI Chat Completions' | 'Anthropic Messages';
  /** The kind of backend the request is translated for. */
  target: string;
  entries: readonly CapabilityEntry[];
}
