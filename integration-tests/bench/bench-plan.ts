/** What the benchmark measures: each scenario against each path. */
export interface Scenario {
  key: string;
  label: string;
  stream: boolean;
  concurrency: number;
  /** Streams: data events per response and the gap between two (0: written at once). */
  events: number;
  gapMs: number;
  rounds: number;
  durationMs: number;
  /** Before the first round of each path. */
  warmupMs: number;
  /**
   * Streams on the OpenAI paths: full OpenAI chunks (~190 bytes, `chat.completion.chunk`, id,
   * model, the stamp as content) instead of the ~40-byte stamped events.
   */
  chunks: boolean;
}

export type PathKey =
  | 'direct'
  | 'minimal'
  | 'gateway'
  | 'gateway-local'
  | 'gateway-quiet'
  | 'gateway-twin'
  | 'gateway-noobs'
  | 'gateway-noscrub'
  | 'gateway-anthropic'
  | 'gateway-responses'
  | 'gateway-baseline';

export interface BenchPath {
  key: PathKey;
  label: string;
  origin: string;
  model: string;
  /**
   * The API the client speaks: OpenAI chat completions, or Anthropic messages or the OpenAI
   * Responses API (both translated by the gateway).
   */
  api?: 'openai' | 'anthropic' | 'responses';
  /**
   * The processes whose CPU time is charged to the path: the server in front of the client
   * (for the local model, the proxy and the supervisor, which handles its leases).
   */
  pids: number[];
}

export const STREAM_EVENTS = 200;
export const PACED_EVENTS = 10;
export const PACED_GAP_MS = 50;

/**
 * Throughput scenarios run in interleaved rounds (direct, minimal, gateway, gateway-local,
 * then again, each round starting one path further on) so that a burst of load from elsewhere
 * on the machine hits every path alike;
 * the paced scenario, which checks that no event is held back, runs once per path.
 */
export function benchPlan(quick: boolean, roundsWanted?: number, chunks = false): Scenario[] {
  const rounds = roundsWanted ?? (quick ? 1 : 3);
  const durationMs = quick ? 600 : 2_500;
  const warmupMs = quick ? 300 : 1_000;
  const load = (key: string, label: string, stream: boolean, concurrency: number): Scenario => ({
    key,
    label,
    stream,
    concurrency,
    events: stream ? STREAM_EVENTS : 0,
    gapMs: 0,
    rounds,
    durationMs,
    warmupMs,
    chunks,
  });
  return [
    load('json-c1', 'JSON, concurrency 1', false, 1),
    load('json-c32', 'JSON, concurrency 32', false, 32),
    load('sse-c1', `SSE ${STREAM_EVENTS} events, concurrency 1`, true, 1),
    load('sse-c32', `SSE ${STREAM_EVENTS} events, concurrency 32`, true, 32),
    {
      key: 'sse-paced',
      label: `SSE ${PACED_EVENTS} events ${PACED_GAP_MS} ms apart, concurrency 1`,
      stream: true,
      concurrency: 1,
      events: PACED_EVENTS,
      gapMs: PACED_GAP_MS,
      rounds: 1,
      durationMs: quick ? 800 : 3_000,
      warmupMs: quick ? 0 : 300,
      chunks,
    },
  ];
}

/** The request path of a bench path's API. */
export function requestPath(path: BenchPath): string {
  if (path.api === 'anthropic') return '/v1/messages';
  return path.api === 'responses' ? '/v1/responses' : '/v1/chat/completions';
}

/**
 * The request body. An Anthropic or Responses request is translated by the gateway, which drops unknown
 * fields, so its stream shape travels in the message text instead (`bench events=N gap=G`),
 * and it asks the fake upstream for real OpenAI chunks (`chunks`) that the gateway can translate.
 */
export function requestBody(path: BenchPath, scenario: Scenario): string {
  if (path.api === 'responses') {
    return JSON.stringify({
      model: path.model,
      input: `bench events=${scenario.events} gap=${scenario.gapMs} chunks`,
      store: false,
      ...(scenario.stream ? { stream: true } : {}),
    });
  }
  if (path.api === 'anthropic') {
    return JSON.stringify({
      model: path.model,
      max_tokens: 1024,
      messages: [
        {
          role: 'user',
          content: `bench events=${scenario.events} gap=${scenario.gapMs} chunks`,
        },
      ],
      ...(scenario.stream ? { stream: true } : {}),
    });
  }
  return openAIBody(path.model, scenario);
}

function openAIBody(model: string, scenario: Scenario): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say something short.' }],
    ...(scenario.stream
      ? {
          stream: true,
          bench_events: scenario.events,
          bench_gap_ms: scenario.gapMs,
          ...(scenario.chunks ? { bench_chunks: true } : {}),
        }
      : {}),
  });
}
