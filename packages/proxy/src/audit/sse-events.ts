/** Where one server-sent event lies in a buffer of whole events, and its data. */
export interface SseEventSpan {
  /** Byte offset of the event's first line. */
  start: number;
  /** Byte offset just past the blank line that ends it (or the end of the buffer). */
  end: number;
  /** Its `data:` lines joined with `\n`; undefined for an event without data (a comment). */
  data: string | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const DATA = Buffer.from('data:');

/**
 * The events of a buffer that holds whole SSE events (as the proxy's SseFramer hands them
 * out), with LF or CRLF line endings. Used only on the few events that need a look inside
 * (usage, first token): callers check for a marker with `indexOf` before calling it.
 */
export function sseEventSpans(buf: Buffer): SseEventSpan[] {
  const spans: SseEventSpan[] = [];
  let eventStart = 0;
  let data: string | undefined;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(LF, pos);
    const lineEnd = nl === -1 ? buf.length : nl;
    const contentEnd = lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const next = nl === -1 ? buf.length : nl + 1;
    if (contentEnd === pos) {
      if (next - eventStart > 1 || data !== undefined)
        spans.push({ start: eventStart, end: next, data });
      data = undefined;
      eventStart = next;
    } else if (isDataLine(buf, pos, contentEnd)) {
      let from = pos + DATA.length;
      if (buf[from] === 0x20) from++;
      const value = buf.toString('utf8', from, contentEnd);
      data = data === undefined ? value : `${data}\n${value}`;
    }
    pos = next;
  }
  if (eventStart < buf.length) spans.push({ start: eventStart, end: buf.length, data });
  return spans;
}

function isDataLine(buf: Buffer, from: number, to: number): boolean {
  if (to - from < DATA.length) return false;
  for (let i = 0; i < DATA.length; i++) if (buf[from + i] !== DATA[i]) return false;
  return true;
}

/** JSON.parse that answers undefined for what is not JSON (`[DONE]`, a cut event). */
export function parseJsonData(data: string | undefined): unknown {
  if (data === undefined || data === '[DONE]') return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}
