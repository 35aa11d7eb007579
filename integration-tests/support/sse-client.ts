import { createParser } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';

export interface StreamOptions {
  headers?: Record<string, string>;
  /** The client's idle timeout: longest wait for the next body bytes (undici bodyTimeout). */
  bodyTimeoutMs?: number;
  /** The client aborts once it has received this many events. */
  abortAfterEvents?: number;
  /** The client aborts this long after sending the request. */
  abortAfterMs?: number;
  dispatcher?: Dispatcher;
}

export interface StreamOutcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** `data:` payloads, in order. */
  events: string[];
  /** SSE comments received (heartbeats). */
  comments: number;
  /** Longest time between two body chunks, in ms (the silence the client saw). */
  longestGapMs: number;
  /** Set when the request or its body failed, or the client aborted it. */
  error?: Error & { code?: string };
  aborted: boolean;
}

/**
 * POSTs a streaming request and reads its SSE events as they arrive, optionally like an
 * impatient client: with an idle timeout, or aborting after some events or some time.
 */
export async function streamChat(
  url: string,
  body: unknown,
  options: StreamOptions = {},
): Promise<StreamOutcome> {
  const controller = new AbortController();
  const outcome: StreamOutcome = {
    status: 0,
    headers: {},
    events: [],
    comments: 0,
    longestGapMs: 0,
    aborted: false,
  };
  const abort = (): void => {
    outcome.aborted = true;
    controller.abort();
  };
  const timer =
    options.abortAfterMs === undefined ? undefined : setTimeout(abort, options.abortAfterMs);
  const parser = createParser({
    onEvent: (e) => {
      outcome.events.push(e.data);
      if (
        options.abortAfterEvents !== undefined &&
        outcome.events.length >= options.abortAfterEvents
      ) {
        abort();
      }
    },
    onComment: () => {
      outcome.comments += 1;
    },
  });
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: controller.signal,
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeout: options.bodyTimeoutMs }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
    outcome.status = res.statusCode;
    outcome.headers = res.headers;
    let last = performance.now();
    for await (const chunk of res.body) {
      const now = performance.now();
      outcome.longestGapMs = Math.max(outcome.longestGapMs, now - last);
      last = now;
      parser.feed((chunk as Buffer).toString('utf8'));
    }
  } catch (err) {
    outcome.error = err as Error & { code?: string };
  } finally {
    clearTimeout(timer);
  }
  return outcome;
}

/** The text of an OpenAI chat stream's content deltas. */
export function streamedText(events: readonly string[]): string {
  return events
    .filter((e) => e !== '[DONE]')
    .map((e) => {
      const chunk = JSON.parse(e) as { choices?: Array<{ delta?: { content?: string | null } }> };
      return chunk.choices?.[0]?.delta?.content ?? '';
    })
    .join('');
}
