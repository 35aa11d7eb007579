// Small HTTP helpers: body reading, JSON answers, and uvicorn-style access lines (method, path,
// status only: request headers, which may carry an API key, are never logged).
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Largest request body accepted (a 413 beyond), generous for long chat histories. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  readonly code = 'STANDIN_BODY_TOO_LARGE';
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection while sending the body'));
    });
  });
}

export type AccessLog = (line: string) => void;

/** `INFO:     127.0.0.1:54321 - "POST /v1/chat/completions HTTP/1.1" 200 OK` */
export function accessLine(req: IncomingMessage, status: number, reason?: string): string {
  const client = `${req.socket.remoteAddress ?? '-'}:${req.socket.remotePort ?? 0}`;
  const text = reason ?? STATUS_CODES[status] ?? '';
  return `INFO:     ${client} - "${req.method ?? '-'} ${req.url ?? '/'} HTTP/${req.httpVersion}" ${status} ${text}`;
}

/**
 * Logs one access line per request: when the response head goes out, or, if the client leaves
 * before any head was sent, with nginx's 499 so every request still leaves exactly one line.
 */
export function trackAccess(req: IncomingMessage, res: ServerResponse, log: AccessLog): void {
  let logged = false;
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    if (!logged) {
      logged = true;
      const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
      log(accessLine(req, status));
    }
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
  res.on('close', () => {
    if (logged) return;
    logged = true;
    log(
      accessLine(
        req,
        res.headersSent ? res.statusCode : 499,
        res.headersSent ? undefined : 'Client Closed Request',
      ),
    );
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};
