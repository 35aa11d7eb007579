import { ANTHROPIC_TO_OPENAI_CAPABILITIES } from './anthropic-to-openai-capabilities.js';
import type { CapabilityEntry, CapabilityMatrix, FeatureLocation } from './capability-matrix.js';
import { OPENAI_TO_ANTHROPIC_CAPABILITIES } from './openai-to-anthropic-capabilities.js';
import { isObject, isUnset } from './guards.js';
import { unsupported } from './translation-error.js';
import type { JsonObject } from './types.js';

interface Occurrence {
  value: unknown;
  parent: JsonObject;
  /** Request path of the value, e.g. `messages[2].content[0]`. */
  param: string;
}

function* contentParts(content: unknown, path: string): Generator<Occurrence> {
  if (!Array.isArray(content)) return;
  for (const [j, part] of content.entries()) {
    if (!isObject(part)) continue;
    const param = `${path}[${j}]`;
    yield { value: part, parent: part, param };
    // Anthropic tool results nest their own content blocks.
    yield* contentParts(part.content, `${param}.content`);
  }
}

function* allContentParts(request: JsonObject): Generator<Occurrence> {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  for (const [i, message] of messages.entries()) {
    if (isObject(message)) yield* contentParts(message.content, `messages[${i}].content`);
  }
  yield* contentParts(request.system, 'system');
}

/** Every place in the request where a location holds a set value. */
function* occurrences(request: JsonObject, location: FeatureLocation): Generator<Occurrence> {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  switch (location.in) {
    case 'request':
      if (!isUnset(request[location.key])) {
        yield { value: request[location.key], parent: request, param: location.key };
      }
      return;
    case 'message':
      for (const [i, message] of messages.entries()) {
        if (isObject(message) && location.roles.includes(String(message.role))) {
          yield { value: message, parent: message, param: `messages[${i}]` };
        }
      }
      return;
    case 'message-field':
      for (const [i, message] of messages.entries()) {
        if (isObject(message) && !isUnset(message[location.key])) {
          yield {
            value: message[location.key],
            parent: message,
            param: `messages[${i}].${location.key}`,
          };
        }
      }
      return;
    case 'content':
      for (const occurrence of allContentParts(request)) {
        if (location.types.includes(String(occurrence.parent.type))) yield occurrence;
      }
      return;
    case 'content-field':
      for (const occurrence of allContentParts(request)) {
        const value = occurrence.parent[location.key];
        if (!isUnset(value)) {
          yield { value, parent: occurrence.parent, param: `${occurrence.param}.${location.key}` };
        }
      }
      return;
    case 'tool': {
      const tools = Array.isArray(request.tools) ? request.tools : [];
      for (const [i, tool] of tools.entries()) {
        yield { value: tool, parent: isObject(tool) ? tool : {}, param: `tools[${i}]` };
      }
      return;
    }
  }
}

function firstMatch(request: JsonObject, entry: CapabilityEntry): Occurrence | undefined {
  for (const occurrence of occurrences(request, entry.location)) {
    const context = { request, parent: occurrence.parent };
    if (!entry.when || entry.when(occurrence.value, context)) return occurrence;
  }
  return undefined;
}

/** Throws UNSUPPORTED_FEATURE for the first rejected feature the request uses. */
export function checkTranslatable(request: object, matrix: CapabilityMatrix): void {
  const body = request as JsonObject;
  for (const entry of matrix.entries) {
    if (entry.disposition !== 'rejected') continue;
    const match = firstMatch(body, entry);
    if (match) {
      throw unsupported(
        `${entry.feature} (${match.param}) cannot be translated for ${matrix.target} backends: ${entry.note}`,
        match.param,
      );
    }
  }
}

/** Names of the ignored features the request uses, for logs or a warning header. */
export function listIgnoredFeatures(request: object, matrix: CapabilityMatrix): string[] {
  return matchingIgnored(request, matrix).map((entry) => entry.feature);
}

/** The ignored fields the request uses, as the client wrote them (`field`, else `feature`), once each. */
export function ignoredFeatures(request: object, matrix: CapabilityMatrix): string[] {
  return [
    ...new Set(matchingIgnored(request, matrix).map((entry) => entry.field ?? entry.feature)),
  ];
}

function matchingIgnored(request: object, matrix: CapabilityMatrix): CapabilityEntry[] {
  const body = request as JsonObject;
  return matrix.entries.filter(
    (entry) => entry.disposition === 'ignored' && firstMatch(body, entry) !== undefined,
  );
}

/** Throws UNSUPPORTED_FEATURE when an OpenAI request uses a feature an Anthropic backend lacks. */
export function checkAnthropicTranslatable(request: object): void {
  checkTranslatable(request, OPENAI_TO_ANTHROPIC_CAPABILITIES);
}

/** Throws UNSUPPORTED_FEATURE when an Anthropic request uses a feature OpenAI-compatible backends lack. */
export function checkOpenAITranslatable(request: object): void {
  checkTranslatable(request, ANTHROPIC_TO_OPENAI_CAPABILITIES);
}
