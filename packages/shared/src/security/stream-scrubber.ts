import { REDACTED } from './redact.js';
import { currentSecretMatcher } from './secret-parts.js';
import type { SecretMatcher } from './secret-matcher.js';

/** Characters before a chunk's end that holdFrom can reach back to, for a given matcher. */
function tailWindow(matcher: SecretMatcher): number {
  return 2 * matcher.maxLength + 3 * 64;
}

/**
 * Scrubs a byte stream on its way to a client: every recognisable part of a registered secret
 * (scrubSecretParts) becomes `[redacted]`, including one split across chunks, without holding
 * the stream back. A chunk leaves as soon as it arrives, except for a tail that could be the
 * start of a secret cut by the chunk's end (at most the longest secret's length, plus a mask
 * run): that tail is held and released with the next chunk or at the end. A tail ending in a
 * character no secret uses (the `\n` that ends every SSE event) is never held.
 *
 * A chunk without any anchor of a secret, and not ending in a possible start of one, is
 * returned as is: no copy, no decoding.
 */
export class StreamScrubber {
  private held: Buffer | undefined;

  constructor(
    private readonly matcherOf: () => SecretMatcher = () => currentSecretMatcher('latin1'),
  ) {}

  /** Bytes held back so far. */
  get pending(): number {
    return this.held?.length ?? 0;
  }

  /** The part of `chunk` (with what was held before it) that can leave now, scrubbed. */
  push(chunk: Buffer): Buffer {
    const matcher = this.matcherOf();
    const held = this.held;
    if (matcher.empty) {
      this.held = undefined;
      return held === undefined ? chunk : Buffer.concat([held, chunk]);
    }
    if (held === undefined && !matcher.mightContainBytes(chunk)) {
      if (chunk.length === 0 || !matcher.mightHold(chunk[chunk.length - 1] as number)) {
        return chunk;
      }
      // No secret inside: only the tail may have to wait.
      const window = Math.min(chunk.length, tailWindow(matcher));
      const start = chunk.length - window;
      const from = start + matcher.holdFrom(chunk.subarray(start).toString('latin1'));
      if (from === chunk.length) return chunk;
      this.held = Buffer.from(chunk.subarray(from));
      return chunk.subarray(0, from);
    }
    const data = held === undefined ? chunk : Buffer.concat([held, chunk]);
    this.held = undefined;
    const text = data.toString('latin1');
    const from = matcher.holdFrom(text);
    if (from < data.length) this.held = Buffer.from(data.subarray(from));
    return scrubbed(matcher, text.slice(0, from), data.subarray(0, from));
  }

  /**
   * `push` for text the proxy formed itself from upstream content (a translated stream's
   * frames): checked as a string first, which costs no encoding when it holds no secret.
   */
  pushText(text: string): Buffer {
    if (this.held === undefined && text.length > 0) {
      const matcher = currentSecretMatcher('utf16');
      if (!matcher.mightContain(text) && !matcher.mightHold(text.charCodeAt(text.length - 1))) {
        return Buffer.from(text);
      }
    }
    return this.push(Buffer.from(text));
  }

  /** Everything still held, scrubbed: the stream ended. */
  end(): Buffer {
    const held = this.held;
    this.held = undefined;
    if (held === undefined) return Buffer.alloc(0);
    return scrubbed(this.matcherOf(), held.toString('latin1'), held);
  }
}

function scrubbed(matcher: SecretMatcher, text: string, bytes: Buffer): Buffer {
  if (matcher.empty) return bytes;
  const clean = matcher.scrub(text, REDACTED);
  return clean === text ? bytes : Buffer.from(clean, 'latin1');
}

/**
 * Scrubs one complete body (a non-streamed answer, an error body): `StreamScrubber` with
 * nothing held back.
 */
export function scrubBody(body: Buffer): Buffer {
  const matcher = currentSecretMatcher('latin1');
  if (matcher.empty || !matcher.mightContainBytes(body)) return body;
  return scrubbed(matcher, body.toString('latin1'), body);
}
