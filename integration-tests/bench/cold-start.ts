import { request } from 'undici';
import { registeredChildren } from '../support/processes.js';
import { epochMs } from './epoch-clock.js';

/**
 * The gateway's overhead on a cold start: first byte at the client minus the moment the model's
 * /health first answered (as the stand-in reports it), for the first and the last of the
 * requests that were waiting for the model.
 */
export interface ColdStart {
  model: string;
  waiting: number;
  firstMs: number;
  lastMs: number;
  /** From the first request sent to the first byte: the model's load plus the overhead. */
  totalMs: number;
}

async function firstByteAt(origin: string, model: string): Promise<number> {
  const res = await request(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      stream: true,
      max_tokens: 4,
      messages: [{ role: 'user', content: 'cold start' }],
    }),
  });
  const at = epochMs();
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${model}: ${res.statusCode} ${text}`);
  return at;
}

async function firstHealthAt(home: string, model: string): Promise<number> {
  const child = registeredChildren(home).find((c) => c.model === model);
  if (child === undefined) throw new Error(`${model} is not in the supervisor's registry`);
  const res = await request(`http://127.0.0.1:${child.port}/v1/standin/stats`);
  const stats = (await res.body.json()) as { firstHealthAt: number | null };
  if (stats.firstHealthAt === null) throw new Error(`${model}: /health was never answered`);
  return stats.firstHealthAt;
}

/** Sends `waiting` requests at once to a stopped stand-in model and times its start. */
export async function measureColdStart(
  origin: string,
  home: string,
  model: string,
  waiting: number,
): Promise<ColdStart> {
  const sent = epochMs();
  const firstBytes = await Promise.all(
    Array.from({ length: waiting }, () => firstByteAt(origin, model)),
  );
  const health = await firstHealthAt(home, model);
  const first = Math.min(...firstBytes);
  return {
    model,
    waiting,
    firstMs: first - health,
    lastMs: Math.max(...firstBytes) - health,
    totalMs: first - sent,
  };
}

export function formatColdStart(c: ColdStart): string {
  return `${c.waiting} waiting: first byte ${c.firstMs.toFixed(1)} ms after /health first answered (last ${c.lastMs.toFixed(1)} ms; ${c.totalMs.toFixed(0)} ms from the request, load included)`;
}
