import type { ServerResponse } from 'node:http';

/**
 * Counts the body bytes written on a Node response, for the web app's answers (model lists, the
 * live events, the errors it answers): Hono hands them to Node in several ways (a string, a
 * stream read chunk by chunk, an error written straight on the socket), so they are counted
 * where they all pass, the response's own write() and end(). The proxied routes count their
 * bytes themselves and do not pay for this.
 */
export function countBodyBytes(outgoing: ServerResponse): () => number {
  let bytes = 0;
  const add = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.byteLength;
    }
  };
  const write = outgoing.write;
  const end = outgoing.end;
  outgoing.write = function (this: ServerResponse, ...args: unknown[]) {
    add(args[0], args[1]);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  outgoing.end = function (this: ServerResponse, ...args: unknown[]) {
    if (typeof args[0] !== 'function') add(args[0], args[1]);
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
  return () => bytes;
}
