/**
 * Finds whether any of a set of short anchors (4 to 6 characters: the first 6 and the last 4 of
 * each secret) occurs in a text or a byte buffer, in one pass whatever the number of anchors,
 * without calling into C++.
 *
 * Every anchor is at least MIN_ANCHOR (4) long, so each occurrence covers three consecutive
 * pairs of characters (bigrams), and one of them starts at a multiple of 3. The scan therefore
 * reads only the bigram at every third position and looks it up in a table of the anchors'
 * bigrams (hashed to 16 bits); only on a hit are the anchors that hold that bigram compared.
 * Of each anchor, three consecutive bigrams are enough (one of them is always read): the three
 * least common in JSON and English text, so that a stream's own words rarely hit (the `en` and
 * `be` of `sk-bench` are not used, `sk`, `k-` and `-b` are). A 200-byte OpenAI chunk costs
 * about 70 table lookups, where a native `Buffer#indexOf` costs ~200 ns per call before it
 * reads a byte.
 */

/** Shortest anchor the index takes (a masked form's suffix). */
export const MIN_ANCHOR = 4;
const STEP = MIN_ANCHOR - 1;

/**
 * Text shaped like what the gateway relays (OpenAI and Anthropic events, English): the
 * bigrams it holds often are the last choice for an anchor's table entries.
 */
export const COMMON_TEXT =
  'data: {"id":"chatcmpl-AZ9xQ2kfT7","object":"chat.completion.chunk","created":1764880123,' +
  '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_4d5e6","choices":[{"index":0,"delta":{"role":' +
  '"assistant","content":"the"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n' +
  'data: {"id":"chatcmpl-AZ9xQ2kfT7","object":"chat.completion.chunk","created":1764880123,' +
  '"model":"mlx-community/Qwen2.5-7B-Instruct-4bit","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":10,' +
  '"total_tokens":22,"prompt_tokens_details":{"cached_tokens":0}}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":' +
  '{"type":"text_delta","text":"Hello"}}\n\nevent: message_delta\ndata: {"type":' +
  '"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}\n\n' +
  'The model is here, and then it said that there are these things to consider in it. ' +
  '0123456789 1764880000123.456 9876543210';

interface Candidate {
  anchor: string;
  /** The anchor as bytes (latin1: one byte per character). */
  bytes: Uint8Array;
  /** Where the bigram is in the anchor. */
  offset: number;
}

/** A bigram's 16-bit key: the low bytes of its two character codes. */
function keyOf(a: number, b: number): number {
  return ((a & 0xff) << 8) | (b & 0xff);
}

let commonCounts: Uint16Array | undefined;

/** How often each bigram key occurs in COMMON_TEXT. */
function commonness(): Uint16Array {
  if (commonCounts !== undefined) return commonCounts;
  commonCounts = new Uint16Array(65536);
  for (let i = 0; i + 1 < COMMON_TEXT.length; i++) {
    const key = keyOf(COMMON_TEXT.charCodeAt(i), COMMON_TEXT.charCodeAt(i + 1));
    commonCounts[key] = (commonCounts[key] as number) + 1;
  }
  return commonCounts;
}

/** The first of the STEP consecutive bigrams of `anchor` least common in relayed text. */
function quietestWindow(anchor: string): number {
  const counts = commonness();
  let best = 0;
  let bestScore = Infinity;
  for (let o = 0; o + STEP <= anchor.length - 1; o++) {
    let score = 0;
    for (let k = o; k < o + STEP; k++) {
      score += counts[keyOf(anchor.charCodeAt(k), anchor.charCodeAt(k + 1))] as number;
    }
    if (score < bestScore) {
      best = o;
      bestScore = score;
    }
  }
  return best;
}

export class AnchorIndex {
  /** For each bigram key, 1 + the index of its candidate list (0: no anchor holds it). */
  private readonly table = new Uint16Array(65536);
  private readonly lists: Candidate[][] = [];

  /** Anchors shorter than MIN_ANCHOR are refused: the scan could step over them. */
  constructor(anchors: Iterable<string>) {
    for (const anchor of new Set(anchors)) {
      if (anchor.length < MIN_ANCHOR) throw new Error('an anchor has at least 4 characters');
      const bytes = new Uint8Array(anchor.length);
      for (let i = 0; i < anchor.length; i++) bytes[i] = anchor.charCodeAt(i) & 0xff;
      const from = quietestWindow(anchor);
      for (let offset = from; offset < from + STEP; offset++) {
        const key = keyOf(anchor.charCodeAt(offset), anchor.charCodeAt(offset + 1));
        if (this.table[key] === 0) {
          this.lists.push([]);
          this.table[key] = this.lists.length;
        }
        (this.lists[(this.table[key] as number) - 1] as Candidate[]).push({
          anchor,
          bytes,
          offset,
        });
      }
    }
  }

  /** Whether an anchor occurs in `bytes` (anchors spelled one byte per character). */
  inBytes(bytes: Uint8Array): boolean {
    const { table } = this;
    const n = bytes.length;
    for (let i = 0; i + 1 < n; i += STEP) {
      const slot = table[((bytes[i] as number) << 8) | (bytes[i + 1] as number)] as number;
      if (slot !== 0 && this.bytesHitAt(bytes, i, slot)) return true;
    }
    return false;
  }

  /** Whether an anchor occurs in `text`. */
  inText(text: string): boolean {
    const { table } = this;
    const n = text.length;
    for (let i = 0; i + 1 < n; i += STEP) {
      const slot = table[keyOf(text.charCodeAt(i), text.charCodeAt(i + 1))] as number;
      if (slot !== 0 && this.textHitAt(text, i, slot)) return true;
    }
    return false;
  }

  private bytesHitAt(bytes: Uint8Array, i: number, slot: number): boolean {
    for (const { bytes: anchor, offset } of this.lists[slot - 1] as Candidate[]) {
      const start = i - offset;
      if (start < 0 || start + anchor.length > bytes.length) continue;
      let j = 0;
      while (j < anchor.length && bytes[start + j] === anchor[j]) j++;
      if (j === anchor.length) return true;
    }
    return false;
  }

  private textHitAt(text: string, i: number, slot: number): boolean {
    for (const { anchor, offset } of this.lists[slot - 1] as Candidate[]) {
      const start = i - offset;
      if (start >= 0 && text.startsWith(anchor, start)) return true;
    }
    return false;
  }
}
