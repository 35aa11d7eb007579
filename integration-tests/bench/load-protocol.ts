/** One measurement the load client runs: `concurrency` loops sending the same request. */
export interface LoadJob {
  /** scheme://host:port */
  origin: string;
  path: string;
  /** JSON request body. */
  body: string;
  stream: boolean;
  /** For streams: data events each response must carry before `[DONE]`. */
  expectEvents: number;
  concurrency: number;
  durationMs: number;
  /** Extra request headers (a client key). */
  headers?: Record<string, string>;
}

/** Distribution of one quantity, in milliseconds. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  /** Requests that completed correctly during the measurement. */
  requests: number;
  errors: number;
  /** The first error seen, for the report. */
  firstError?: string;
  elapsedMs: number;
  requestsPerSecond: number;
  /** Whole-response latency. */
  latency: Summary;
  /** Streams: request start to the first data event. */
  timeToFirstEvent?: Summary;
  /** Streams: arrival time minus the time the upstream stamped on the event. */
  eventLag?: Summary;
}

export type LoadMessage =
  { kind: 'result'; result: LoadResult } | { kind: 'failed'; error: string };
