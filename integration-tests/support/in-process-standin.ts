// A stand-in server run in-process for the tests of its HTTP surface: one started before each test
// (more on demand with `start`), all closed after it, with readers for its SSE streams.
import { createParser } from 'eventsource-parser';
import { afterEach, beforeEach } from 'vitest';
import {
  createStandinServer,
  type StandinServer,
  type StandinServerOptions,
} from '../standin/server.js';
import type { SettledEvent } from '../standin/stats.js';

export const MODEL = 'mlx-community/test-model';

export interface Chunk {
  id: string;
  object: string;
  model: string;
  /** Absent on the in-band error chunk of error-after:N. */
  choices: {
    index: number;
    delta: {
      role: string | null;
      content: string | null;
      reasoning_content: string | null;
      tool_calls:
        | {
            index: number;
            id?: string;
            type?: string;
            function: { name?: string; arguments: string };
          }[]
        | null;
    };
    finish_reason: string | null;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  error?: { message: string; type: string; code: string };
}

const servers: StandinServer[] = [];
/** The server started for the current test. */
export let server: StandinServer;
/** The access-log lines of every server started in the current test. */
export let access: string[];

export async function start(options: Partial<StandinServerOptions> = {}): Promise<StandinServer> {
  const created = createStandinServer({
    modelId: MODEL,
    accessLog: (line) => access.push(line),
    ...options,
  });
  servers.push(created);
  await created.listen(0, '127.0.0.1');
  return created;
}

/** Starts `server` before each test of the calling file and closes every server after it. */
export function useInProcessStandin(): void {
  beforeEach(async () => {
    access = [];
    server = await start();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
}

export function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
  target = server,
): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

export interface SseRead {
  /** The data field of every event, in order ('[DONE]' included). */
  data: string[];
  /** True when the body ended normally. */
  ended: boolean;
  /** The read error when the connection broke. */
  error?: unknown;
}

/** Reads SSE events until the body ends, breaks, or `stop` returns true. */
export async function readSse(res: Response, stop?: (data: string[]) => boolean): Promise<SseRead> {
  const data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      if (stop?.(data)) return { data, ended: false };
      const { done, value } = await reader.read();
      if (done) return { data, ended: true };
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    return { data, ended: false, error };
  }
}

export const chunksOf = (data: string[]): Chunk[] =>
  data.filter((item) => item !== '[DONE]').map((item) => JSON.parse(item) as Chunk);

export const contentOf = (chunks: Chunk[]): string[] =>
  chunks
    .flatMap((chunk) => (chunk.choices ?? []).map((choice) => choice.delta.content ?? ''))
    .filter((c) => c !== '');

export const userSays = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'client-model',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: text },
  ],
  ...extra,
});

/** Resolves with the next `count` 'settled' events of `target`. */
export function nextSettled(count = 1, target = server): Promise<SettledEvent[]> {
  return new Promise((resolve) => {
    const seen: SettledEvent[] = [];
    const listener = (event: SettledEvent): void => {
      seen.push(event);
      if (seen.length < count) return;
      target.events.off('settled', listener);
      resolve(seen);
    };
    target.events.on('settled', listener);
  });
}

export async function stats(): Promise<Record<string, number>> {
  const res = await fetch(`${server.url}/v1/standin/stats`);
  return (await res.json()) as Record<string, number>;
}
