import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { epochMs } from '../standin/epoch-clock.js';
import type { LoadJob, LoadResult } from './load-protocol.js';
import { Samples } from './samples.js';
import { StampedEventReader } from './stamped-event-reader.js';

interface Recorders {
  latency: Samples;
  ttfe: Samples;
  lag: Samples;
}

/**
 * One request through undici's handler API (the cheapest client path, so the client steals as
 * little CPU as possible from the servers it measures). Resolves with an error text, or
 * undefined when the response was complete: status 200 and, for a stream, every expected
 * event followed by `[DONE]`.
 */
function fire(pool: Dispatcher, job: LoadJob, rec: Recorders): Promise<string | undefined> {
  return new Promise((resolve) => {
    const start = performance.now();
    let status = 0;
    let firstEvent = false;
    const reader = job.stream
      ? new StampedEventReader((lag) => {
          if (!firstEvent) {
            firstEvent = true;
            rec.ttfe.add(performance.now() - start);
          }
          rec.lag.add(lag);
        })
      : undefined;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode: number, _h: IncomingHttpHeaders) {
        status = statusCode;
      },
      onResponseData(_c, chunk: Buffer) {
        reader?.push(chunk, epochMs());
      },
      onResponseEnd() {
        if (status !== 200) return resolve(`status ${status}`);
        if (reader && (!reader.done || reader.events !== job.expectEvents)) {
          return resolve(`stream incomplete: ${reader.events} events, done=${reader.done}`);
        }
        rec.latency.add(performance.now() - start);
        resolve(undefined);
      },
      onResponseError(_c, err: Error) {
        resolve(err.message);
      },
    };
    pool.dispatch(
      {
        path: job.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...job.headers },
        body: job.body,
      },
      handler,
    );
  });
}

const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (pool === undefined) {
    pool = new Pool(origin, { connections: 128, keepAliveTimeout: 60_000 });
    pools.set(origin, pool);
  }
  return pool;
}

async function loop(
  job: LoadJob,
  rec: Recorders,
): Promise<{ ok: number; errors: number; firstError?: string; elapsedMs: number }> {
  const pool = poolFor(job.origin);
  const started = performance.now();
  const end = started + job.durationMs;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const error = await fire(pool, job, rec);
      if (error === undefined) ok += 1;
      else {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const elapsedMs = performance.now() - started;
  return firstError === undefined
    ? { ok, errors, elapsedMs }
    : { ok, errors, firstError, elapsedMs };
}

/** Runs `job` for its duration and sums up what it measured. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const rec = { latency: new Samples(), ttfe: new Samples(), lag: new Samples() };
  const run = await loop(job, rec);
  const result: LoadResult = {
    requests: run.ok,
    errors: run.errors,
    elapsedMs: run.elapsedMs,
    requestsPerSecond: (run.ok * 1000) / run.elapsedMs,
    latency: rec.latency.summary(),
  };
  if (run.firstError !== undefined) result.firstError = run.firstError;
  if (job.stream) {
    result.timeToFirstEvent = rec.ttfe.summary();
    result.eventLag = rec.lag.summary();
  }
  return result;
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.close()));
  pools.clear();
}
