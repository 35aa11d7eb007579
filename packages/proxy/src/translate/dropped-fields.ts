import { ANTHROPIC_TO_OPENAI_CAPABILITIES } from './anthropic-to-openai-capabilities.js';
import { ignoredFeatures } from './capability-check.js';
import { isObject } from './guards.js';
import type { JsonObject } from './types.js';

/**
 * Top-level fields of an Anthropic Messages request that the translation for OpenAI-compatible
 * backends reads. Any other field (one the capability matrix ignores, or one from a newer
 * client) is left out of the translated request and named as dropped.
 */
const TRANSLATED_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'stream',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
]);

/** `output_config` keys the translation reads. */
const TRANSLATED_OUTPUT_CONFIG: ReadonlySet<string> = new Set(['effort', 'format']);

/** A field name safe to put in a header and a log line; anything else is summarised. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** At most this many names are listed; the rest are counted. */
const MAX_NAMES = 24;

/**
 * What an Anthropic request loses on its way to an OpenAI-compatible backend: the fields the
 * capability matrix ignores, by their `field` name, then unknown top-level and `output_config`
 * fields, each once. Names that are not plain identifiers (a client chose them) are not echoed.
 */
export function droppedAnthropicFields(request: object): string[] {
  const body = request as JsonObject;
  const names = new Set(ignoredFeatures(body, ANTHROPIC_TO_OPENAI_CAPABILITIES));
  const matrixKeys = new Set(
    ANTHROPIC_TO_OPENAI_CAPABILITIES.entries.flatMap((entry) =>
      entry.location.in === 'request' ? [entry.location.key] : [],
    ),
  );
  const unknown: string[] = [];
  for (const key of Object.keys(body)) {
    if (!TRANSLATED_FIELDS.has(key) && !matrixKeys.has(key) && body[key] !== undefined) {
      unknown.push(key);
    }
  }
  if (isObject(body.output_config)) {
    for (const key of Object.keys(body.output_config)) {
      if (!TRANSLATED_OUTPUT_CONFIG.has(key)) unknown.push(`output_config.${key}`);
    }
  }
  let unnamed = 0;
  for (const name of unknown) {
    if (PLAIN_NAME.test(name)) names.add(name);
    else unnamed += 1;
  }
  const list = [...names];
  const shown = list.slice(0, MAX_NAMES);
  const more = list.length - shown.length + unnamed;
  return more > 0 ? [...shown, `${more} more`] : shown;
}
