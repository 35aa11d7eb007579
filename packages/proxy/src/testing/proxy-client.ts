import { request } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';

export interface BufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. Omitted: no body. */
  body?: unknown;
}

/** Sends one request to the proxy and reads the whole response. */
export async function send(
  baseUrl: string,
  path: string,
  options: SendOptions = {},
): Promise<BufferedResponse> {
  const res = await open(baseUrl, path, options).response;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.statusCode ?? 0, headers: res.headers, text, json };
}

export interface OpenRequest {
  req: ClientRequest;
  response: Promise<IncomingMessage>;
}

/** Starts a request; the response is read by the caller. */
export function open(baseUrl: string, path: string, options: SendOptions = {}): OpenRequest {
  const url = new URL(path, baseUrl);
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const req = request(url, { method: options.method ?? 'POST', headers, agent: false });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end(payload);
  return { req, response };
}

export interface SseItem {
  kind: 'event' | 'comment';
  data: string;
}

/**
 * Reads an SSE response with eventsource-parser: every event and comment in order, and a way
 * to wait for the next one (with a deadline, so a missing event fails the test instead of
 * hanging it).
 */
export class SseReader {
  readonly items: SseItem[] = [];
  raw = '';
  ended = false;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly res: IncomingMessage) {
    const parser = createParser({
      onEvent: (event) => this.push({ kind: 'event', data: event.data }),
      onComment: (comment) => this.push({ kind: 'comment', data: comment.trim() }),
    });
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      this.raw += text;
      parser.feed(text);
    });
    const end = (): void => {
      this.ended = true;
      this.wake();
    };
    res.on('end', end);
    res.on('close', end);
    res.on('error', end);
  }

  get events(): string[] {
    return this.items.filter((item) => item.kind === 'event').map((item) => item.data);
  }

  get comments(): string[] {
    return this.items.filter((item) => item.kind === 'comment').map((item) => item.data);
  }

  /** Waits until `count` items (events and comments) have arrived. */
  waitForItems(count: number, timeoutMs = 5_000): Promise<void> {
    return this.until(() => this.items.length >= count, timeoutMs, `${count} SSE items`);
  }

  waitForEnd(timeoutMs = 5_000): Promise<void> {
    return this.until(() => this.ended, timeoutMs, 'the end of the stream');
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.raw)}`));
      }, timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }

  private push(item: SseItem): void {
    this.items.push(item);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter();
  }
}
