import { Agent, request } from 'undici';
import { planClients, type ClientPlan } from '../support/disconnect-plans.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * Issue 17's load for memory: 1,000 streams at once through the gateway, most cut off by their
 * client at a random point (after a few events, or after a few milliseconds), as an agent CLI
 * interrupted again and again would. What it leaves behind is measured against idle
 * (footprint-run.ts).
 */
export interface StormResult {
  streams: number;
  /** Read to the end. */
  completed: number;
  /** Cut off by their client. */
  cutOff: number;
  /** Failed before the client meant to leave (a gateway error, a refused connection). */
  failed: number;
  ms: number;
}

const STREAMS = 1_000;
/** 60 events 5 ms apart: a 300 ms answer, so that every stream is open at once. */
const EVENTS = 60;
const GAP_MS = 5;
const SEED = 20_261_205;

const EVENT_END = Buffer.from('\n\n');

function countEvents(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(EVENT_END); i !== -1; i = chunk.indexOf(EVENT_END, i + 2)) n++;
  return n;
}

async function oneStream(
  url: string,
  model: string,
  plan: ClientPlan,
  dispatcher: Agent,
): Promise<keyof Omit<StormResult, 'streams' | 'ms'>> {
  const abort = new AbortController();
  const timer = plan.kind === 'delay' ? setTimeout(() => abort.abort(), plan.ms) : undefined;
  try {
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher,
      signal: abort.signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'Say something short.' }],
        stream: true,
        bench_events: EVENTS,
        bench_gap_ms: GAP_MS,
      }),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return 'failed';
    }
    let events = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      events += countEvents(chunk);
      if (plan.kind === 'events' && events >= plan.n) {
        abort.abort();
        return 'cutOff';
      }
    }
    return plan.kind === 'complete' ? 'completed' : 'cutOff';
  } catch {
    return abort.signal.aborted ? 'cutOff' : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the 1,000 streams at once against the gateway's `model` (a remote, streaming model). */
export async function disconnectStorm(url: string, model: string): Promise<StormResult> {
  const dispatcher = new Agent({ connections: STREAMS, pipelining: 1 });
  const started = Date.now();
  try {
    const outcomes = await Promise.all(
      planClients(STREAMS, seededRandom(SEED)).map((plan) =>
        oneStream(url, model, plan, dispatcher),
      ),
    );
    const count = (o: string): number => outcomes.filter((x) => x === o).length;
    return {
      streams: STREAMS,
      completed: count('completed'),
      cutOff: count('cutOff'),
      failed: count('failed'),
      ms: Date.now() - started,
    };
  } finally {
    await dispatcher.destroy();
  }
}

export function formatStorm(s: StormResult): string {
  return `${s.streams} streams at once (${s.cutOff} cut off by their client, ${s.completed} read to the end, ${s.failed} failed) in ${s.ms} ms`;
}
