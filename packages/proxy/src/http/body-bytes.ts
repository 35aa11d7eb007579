import type { ServerResponse } from 'node:http';

/**
 * Body bytes of the web app's answer, measured without touching it: what the socket took since
 * the request began, less the header block. Neither Node's response object nor the answer Hono
 * hands to the adapter is changed: patching the one's write() or wrapping the other's body in
 * a counting stream both slowed the proxied streams (in V8, every response's writes pay for a
 * response of another shape; the 1000-stream disconnect test then found abandoned generations
 * not cancelled in time). An answer in chunked encoding (the live events) counts its chunks'
 * framing too. Call `bodyBytesFrom(outgoing)` when the request opens, and the function it
 * returns once the answer is finished.
 */
export function bodyBytesFrom(outgoing: ServerResponse): () => number {
  const socket = outgoing.socket;
  const before = socket?.bytesWritten ?? 0;
  return () => {
    if (socket === null) return 0;
    // Node's header block as sent (`_header`: a string once the headers went out).
    const header = (outgoing as unknown as { _header?: unknown })._header;
    const headerBytes = typeof header === 'string' ? Buffer.byteLength(header, 'latin1') : 0;
    return Math.max(0, socket.bytesWritten - before - headerBytes);
  };
}
