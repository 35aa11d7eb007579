const LF_LF = Buffer.from('\n\n');
const CR_CR = Buffer.from('\r\r');
const LF_CRLF = Buffer.from('\n\r\n');

/** A pending partial event larger than this is passed on as it is rather than held. */
const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Offset just past the last blank line (the end of an SSE event) in `buf`, or -1. Covers LF,
 * CRLF and CR line endings: `\n\n`, `\r\n\r\n` (found as `\n\r\n`), `\r\r` and mixes.
 */
export function lastEventEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf(LF_LF);
  if (lf !== -1 && lf + 2 === buf.length) return buf.length;
  let end = lf === -1 ? -1 : lf + 2;
  const crlf = buf.lastIndexOf(LF_CRLF);
  if (crlf !== -1 && crlf + 3 > end) end = crlf + 3;
  const cr = buf.lastIndexOf(CR_CR);
  if (cr !== -1 && cr + 2 > end) end = cr + 2;
  return end;
}

/**
 * Cuts an upstream SSE byte stream at event boundaries without parsing or re-encoding it:
 * `push` returns every complete event received so far (the original bytes, ready to write)
 * and keeps a trailing partial event until the rest of it arrives. Writing whole events only
 * is what lets the proxy put a heartbeat or a final error event between two events, never
 * inside one.
 */
export class SseFramer {
  private parts: Buffer[] = [];
  private pendingBytes = 0;

  /** Bytes held back as a partial event. */
  get pending(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Buffer | undefined {
    let end = lastEventEnd(chunk);
    if (end === -1 && this.pendingBytes > 0) end = this.junctionEnd(chunk);
    if (end === -1) {
      this.parts.push(chunk);
      this.pendingBytes += chunk.length;
      return this.pendingBytes > MAX_PENDING_BYTES ? this.flush() : undefined;
    }
    const head = end === chunk.length ? chunk : chunk.subarray(0, end);
    const out = this.parts.length === 0 ? head : Buffer.concat([...this.parts, head]);
    if (end === chunk.length) {
      this.parts = [];
      this.pendingBytes = 0;
    } else {
      this.parts = [chunk.subarray(end)];
      this.pendingBytes = chunk.length - end;
    }
    return out;
  }

  /** Everything still held, e.g. when the upstream ended without a final blank line. */
  flush(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    const out = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.pendingBytes = 0;
    return out;
  }

  /** An event end made of the last bytes held and the first bytes of `chunk`, as an offset in `chunk`. */
  private junctionEnd(chunk: Buffer): number {
    const last = this.parts[this.parts.length - 1] as Buffer;
    const held = (last.length >= 2 ? last : Buffer.concat(this.parts)).subarray(-2);
    const joint = Buffer.concat([held, chunk.subarray(0, 2)]);
    const end = lastEventEnd(joint);
    return end > held.length ? end - held.length : -1;
  }
}
