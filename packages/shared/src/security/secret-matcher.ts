/**
 * Finds the recognisable parts of a known set of secrets in text: the whole value, any prefix
 * or suffix of PART_LENGTH (6) characters or more, and masked forms such as
 * `sk-proj-abcd************wxyz` (a prefix, a run of mask characters, a suffix of 4 or more).
 *
 * Like the whole values scrubSecrets finds, a match never starts or ends inside a longer word
 * (`1712345678901` keeps a registered `12345678`): an ASCII letter or digit before a prefix or
 * after a suffix means it is another token.
 *
 * Every match contains one of two anchors of some secret: its first 6 characters (whole
 * values and prefixes) or its last 4 (suffixes and masked forms). A text that contains no
 * anchor contains no match. All anchors are found in one pass that reads every third byte
 * (anchor-index.ts); for a few anchors (the usual one or two keys) a buffer longer than
 * SHORT_BYTES is searched instead by a native one-byte search for each one's rarest byte
 * (probe-search.ts), and a string by the engine's substring search. Text without secrets costs
 * one short scan or a few fast calls, and no copy.
 *
 * The matcher works on strings. For bytes (a relayed stream) it is built in `latin1` mode:
 * secrets are spelled as their UTF-8 bytes one character per byte, so a Buffer read as latin1
 * maps to a string of the same length and back without loss.
 */

import { AnchorIndex } from './anchor-index.js';
import { ProbeSearch } from './probe-search.js';

/** Shortest prefix or suffix of a secret that counts as a part of it. */
export const PART_LENGTH = 6;
/** Shortest suffix shown after a mask that counts as a masked form. */
export const MASKED_SUFFIX_LENGTH = 4;
/** Shortest run of mask characters in a masked form. */
const MASK_RUN = 3;
/** Longest run of mask characters a stream holds back waiting for the suffix after it. */
const MAX_HELD_MASK = 64;
/**
 * Up to this many probe groups, long buffers are searched natively byte by byte (ProbeSearch,
 * ~15 ns a call); beyond, in one pass (AnchorIndex, ~0.5 ns a byte).
 */
const MAX_PROBE_GROUPS = 6;
/**
 * Buffers up to this long (a token's SSE event from a local server, ~40–90 bytes) are read in
 * the one pass: ~30 ns for 40 bytes, against ~45 ns for the native calls. Past ~100 bytes the
 * native calls cost less (an OpenAI chunk of 200 bytes: ~110 against ~145 ns).
 */
const SHORT_BYTES = 96;
/** Up to this many secrets, strings are searched with `includes` (two calls per secret). */
const MAX_INCLUDES_SECRETS = 4;

const MASK_CHARS = ['*', '•', '…', '.', '·', 'x', 'X', '#'];

export type MatcherEncoding = 'utf16' | 'latin1';

interface Secret {
  value: string;
  first: string;
  last: string;
}

/** Half-open ranges [start, end) of `text` to redact, sorted and merged. */
type Range = [number, number];

function spell(value: string, encoding: MatcherEncoding): string {
  return encoding === 'latin1' ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

export class SecretMatcher {
  private readonly secrets: Secret[];
  /**
   * Every secret's anchors, found in one pass over a Buffer (latin1 mode) or a text (many
   * secrets); not built for a text matcher of a few secrets, which never reads it.
   */
  private readonly anchors: AnchorIndex | undefined;
  /** The anchors' probe bytes, for the zero-copy check of a long Buffer: for a few secrets. */
  private readonly probes: ProbeSearch | undefined;
  /** Mask units as they are spelled in this encoding (`•` is 3 units in latin1 mode). */
  private readonly masks: string[];
  /** Character codes that occur in some secret or mask: a text ending in another one holds nothing back. */
  private readonly tailCodes = new Set<number>();
  /** `tailCodes` below 256 as a table: the check made at the end of every relayed chunk. */
  private readonly tailBytes = new Uint8Array(256);
  /** Length of the longest secret. */
  readonly maxLength: number;

  constructor(
    values: Iterable<string>,
    private readonly encoding: MatcherEncoding = 'utf16',
  ) {
    const seen = new Set<string>();
    this.secrets = [];
    for (const raw of values) {
      const value = spell(raw, encoding);
      if (value.length < PART_LENGTH + 2 || seen.has(value)) continue;
      seen.add(value);
      this.secrets.push({
        value,
        first: value.slice(0, PART_LENGTH),
        last: value.slice(-MASKED_SUFFIX_LENGTH),
      });
    }
    this.maxLength = Math.max(0, ...this.secrets.map((s) => s.value.length));
    this.masks = MASK_CHARS.map((c) => spell(c, encoding));
    const anchors = this.secrets.flatMap((s) => [s.first, s.last]);
    const probes = new ProbeSearch(anchors);
    if (probes.size <= MAX_PROBE_GROUPS && encoding === 'latin1') this.probes = probes;
    if (encoding === 'latin1' || this.secrets.length > MAX_INCLUDES_SECRETS) {
      this.anchors = new AnchorIndex(anchors);
    }
    for (const text of [...seen, ...this.masks]) {
      for (let i = 0; i < text.length; i++) this.tailCodes.add(text.charCodeAt(i));
    }
    for (const code of this.tailCodes) if (code < 256) this.tailBytes[code] = 1;
  }

  /** True when there is nothing to look for. */
  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /** False when `text` certainly contains no match. */
  mightContain(text: string): boolean {
    if (this.secrets.length > MAX_INCLUDES_SECRETS)
      return (this.anchors as AnchorIndex).inText(text);
    for (const s of this.secrets) {
      if (text.includes(s.first) || text.includes(s.last)) return true;
    }
    return false;
  }

  /** `mightContain` for bytes, without decoding them (latin1 mode). */
  mightContainBytes(bytes: Buffer): boolean {
    if (this.probes !== undefined && bytes.length > SHORT_BYTES) return this.probes.inBytes(bytes);
    return (this.anchors as AnchorIndex).inBytes(bytes);
  }

  /** False when a text ending in this character code holds nothing back. */
  mightHold(code: number): boolean {
    return code < 256 ? this.tailBytes[code] === 1 : this.tailCodes.has(code);
  }

  /** `text` with every match replaced by `replacement`. */
  scrub(text: string, replacement: string): string {
    if (this.secrets.length === 0 || !this.mightContain(text)) return text;
    const ranges = this.find(text);
    if (ranges.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [start, end] of ranges) {
      out += text.slice(at, start) + replacement;
      at = end;
    }
    return out + text.slice(at);
  }

  /** The ranges of `text` that show a secret or a part of one, sorted and merged. */
  find(text: string): Range[] {
    const ranges: Range[] = [];
    for (const secret of this.secrets) {
      this.findPrefixes(text, secret, ranges);
      this.findSuffixes(text, secret, ranges);
    }
    return merge(ranges);
  }

  /**
   * Where the part of `text` that could be the start of a match cut short by the end of the
   * text begins: `text.length` when none. A stream holds that part back until more arrives.
   *
   * A cut part is only a leak when neither side is a part on its own: a prefix of 6 or more
   * is one already, and so is a suffix of 6 or more. So what is held is the last 5 characters
   * at most, when they occur in a secret; the mask run before them, which a suffix after it
   * would turn into a masked form; and any match that reaches into that tail, held whole so
   * that it is redacted as one.
   */
  holdFrom(text: string): number {
    const n = text.length;
    if (n === 0 || this.secrets.length === 0 || !this.tailCodes.has(text.charCodeAt(n - 1))) {
      return n;
    }
    let from = n;
    for (let q = Math.max(0, n - (PART_LENGTH - 1)); q < n; q++) {
      const tail = text.slice(q);
      if (this.secrets.some((s) => s.value.includes(tail))) {
        from = q;
        break;
      }
    }
    from = this.maskRunBefore(text, from).start;
    if (from < n && this.mightContain(text)) {
      for (const [start, end] of this.find(text)) {
        if (end > from && start < from) from = start;
      }
    }
    return from;
  }

  private findPrefixes(text: string, secret: Secret, ranges: Range[]): void {
    const { value, first } = secret;
    for (let i = text.indexOf(first); i !== -1; i = text.indexOf(first, i + 1)) {
      if (i > 0 && isWordCode(text.charCodeAt(i - 1))) continue;
      let k = PART_LENGTH;
      while (k < value.length && i + k < text.length && text[i + k] === value[k]) k++;
      ranges.push([i, i + k]);
    }
  }

  private findSuffixes(text: string, secret: Secret, ranges: Range[]): void {
    const { value, last } = secret;
    const len = value.length;
    for (let j = text.indexOf(last); j !== -1; j = text.indexOf(last, j + 1)) {
      const end = j + MASKED_SUFFIX_LENGTH;
      if (end < text.length && isWordCode(text.charCodeAt(end))) continue;
      let k = MASKED_SUFFIX_LENGTH;
      while (k < len && end - k - 1 >= 0 && text[end - k - 1] === value[len - k - 1]) k++;
      const start = end - k;
      const mask = this.maskRunBefore(text, start);
      if (mask.count >= MASK_RUN) {
        ranges.push([mask.start - this.longestPrefixBefore(text, mask.start, secret), end]);
      } else if (k >= PART_LENGTH) {
        ranges.push([start, end]);
      }
    }
  }

  /** The run of mask characters that ends at `end` (at most MAX_HELD_MASK of them). */
  private maskRunBefore(text: string, end: number): { start: number; count: number } {
    let start = end;
    let count = 0;
    outer: while (count < MAX_HELD_MASK) {
      for (const m of this.masks) {
        if (start - m.length >= 0 && text.startsWith(m, start - m.length)) {
          start -= m.length;
          count++;
          continue outer;
        }
      }
      break;
    }
    return { start, count };
  }

  /** Length of the longest prefix of a secret (of `only`, if given) that ends at `end`. */
  private longestPrefixBefore(text: string, end: number, only?: Secret): number {
    let best = 0;
    for (const s of only === undefined ? this.secrets : [only]) {
      for (let j = Math.min(end, s.value.length - 1); j > best; j--) {
        if (text.startsWith(s.value.slice(0, j), end - j)) {
          best = j;
          break;
        }
      }
    }
    return best;
  }
}

/** ASCII letters and digits: a match never starts or ends inside a longer word. */
function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function merge(ranges: Range[]): Range[] {
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Range[] = [ranges[0] as Range];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    const top = out[out.length - 1] as Range;
    if (r[0] <= top[1]) top[1] = Math.max(top[1], r[1]);
    else out.push(r);
  }
  return out;
}
