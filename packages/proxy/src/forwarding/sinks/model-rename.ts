/**
 * The `model` member of a relayed answer, rewritten to the name the client asked for: the one
 * rule of the gateway for every backend (docs/proxy.md, "The model field"). Translated answers
 * are built with that name; relayed ones (OpenAI, openai-compatible, local servers, Anthropic
 * to Anthropic clients) carry the upstream's id, rewritten here.
 *
 * Works on JSON text: an unescaped `"model"` followed by `:` can only be a member name (inside
 * a string value its quotes would be escaped), so every `"model": "…"` member is rewritten,
 * nested ones included (`message.model` of Anthropic's `message_start`, `response.model` of
 * the Responses API's events). The bytes are read as latin1, one character per byte: the
 * pattern is plain ASCII, which no byte of a multi-byte UTF-8 character can match, so a
 * character cut between two chunks passes through intact.
 */
import { BytePattern } from '../../audit/byte-search.js';

const MODEL_MEMBER = /("model"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const MODEL_KEY = '"model"';
/** What may still become a member at the end of a chunk: the key, its colon, part of its value. */
const OPEN_MEMBER = /^"model"\s*(?::\s*(?:"(?:[^"\\]|\\.)*\\?)?)?$/;
/** A member longer than this is not waited for (nothing then holds a body back for long). */
const MAX_HELD = 4096;

export type ModelRename = (json: Buffer) => Buffer;

const KEY_BYTES = Buffer.from(MODEL_KEY, 'latin1');
const KEY_PATTERN = new BytePattern(KEY_BYTES);
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * For whole texts (a body, whole SSE events): the input itself comes back when unchanged.
 * Members spelled compactly (`"model":"…"`, as every upstream we know writes them) are found
 * and compared as bytes, with no decoding: this runs on every relayed stream event. A text with
 * another spelling goes through the regular expression.
 */
export function renameModelTo(model: string): ModelRename {
  const value = latin1Json(model);
  const name = Buffer.from(value.slice(1, -1), 'latin1');
  return (json) => {
    let key = KEY_PATTERN.indexIn(json);
    if (key === -1) return json;
    const parts: Buffer[] = [];
    let from = 0;
    while (key !== -1) {
      const start = key + KEY_BYTES.length + 2;
      if (json[start - 2] !== COLON || json[start - 1] !== QUOTE) return renameText(json, value);
      const end = closingQuote(json, start);
      if (end === -1) return renameText(json, value);
      if (end - start !== name.length || json.compare(name, 0, name.length, start, end) !== 0) {
        parts.push(json.subarray(from, start), name);
        from = end;
      }
      key = KEY_PATTERN.indexIn(json, end);
    }
    if (parts.length === 0) return json;
    parts.push(json.subarray(from));
    return Buffer.concat(parts);
  };
}

function renameText(json: Buffer, value: string): Buffer {
  const text = json.toString('latin1');
  const renamed = text.replace(MODEL_MEMBER, (_m, head: string) => `${head}${value}`);
  return renamed === text ? json : Buffer.from(renamed, 'latin1');
}

/** The index of the quote that ends the JSON string whose first character is at `start`. */
function closingQuote(json: Buffer, start: number): number {
  for (let q = json.indexOf(QUOTE, start); q !== -1; q = json.indexOf(QUOTE, q + 1)) {
    let slashes = 0;
    while (q - 1 - slashes >= start && json[q - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

/**
 * For a body that arrives in chunks: holds back only the end of a chunk that may be the start
 * of a `model` member completed by the next one.
 */
export class ModelRenamer {
  private readonly value: string;
  private held = '';

  constructor(model: string) {
    this.value = latin1Json(model);
  }

  push(chunk: Buffer): Buffer {
    const text = this.held + chunk.toString('latin1');
    const renamed = text.replace(MODEL_MEMBER, (_m, head: string) => `${head}${this.value}`);
    const cut = openMemberStart(renamed);
    this.held = renamed.slice(cut);
    return Buffer.from(renamed.slice(0, cut), 'latin1');
  }

  end(): Buffer {
    const rest = Buffer.from(this.held, 'latin1');
    this.held = '';
    return rest;
  }
}

function latin1Json(model: string): string {
  return Buffer.from(JSON.stringify(model), 'utf8').toString('latin1');
}

/** Where an unfinished `model` member (or the start of its key) begins; the length if none. */
function openMemberStart(text: string): number {
  const key = text.lastIndexOf(MODEL_KEY);
  if (key !== -1 && text.length - key <= MAX_HELD && OPEN_MEMBER.test(text.slice(key))) {
    return key;
  }
  for (let n = Math.min(MODEL_KEY.length - 1, text.length); n > 0; n--) {
    if (MODEL_KEY.startsWith(text.slice(text.length - n))) return text.length - n;
  }
  return text.length;
}
