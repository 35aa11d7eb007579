import { execFileSync } from 'node:child_process';
import { request } from 'undici';
import { registeredChildren } from '../support/processes.js';
import { cliMain } from './bench-paths.js';
import { epochMs } from '../standin/epoch-clock.js';

/**
 * The gateway's overhead on a cold start: first byte at the client minus the moment the model's
 * /health first answered (as the stand-in reports it), for the first and the last of the
 * requests that were waiting for the model.
 */
export interface ColdStart {
  model: string;
  waiting: number;
  firstMs: number;
  /** Median and 90th percentile of the requests' first bytes (same origin as firstMs). */
  p50Ms: number;
  p90Ms: number;
  lastMs: number;
  /** Every request's first byte after /health first answered, in ms, sorted. */
  firstBytesMs: number[];
  /** From the first request sent to the first byte: the model's load plus the overhead. */
  totalMs: number;
  /**
   * When the supervisor declared the model ready (`readyAt` in `status --json`) minus the
   * model's first /health answer: the readiness detection itself (issue 17, item 2), apart from
   * what the model server then takes to answer the requests that waited. Absent without a
   * supervisor (the direct run).
   */
  detectedMs?: number;
}

export async function firstByteAt(origin: string, model: string): Promise<number> {
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

/** The moment (epoch ms) the supervisor of `home` declared `model` ready, from `status --json`. */
function readyAt(home: string, model: string): number {
  const out = execFileSync(process.execPath, [cliMain, 'status', '--json'], {
    env: { ...process.env, MLX_GATEWAY_HOME: home },
    encoding: 'utf8',
  });
  const status = JSON.parse(out) as { models: Array<{ name: string; readyAt: number | null }> };
  const at = status.models.find((m) => m.name === model)?.readyAt;
  if (at === undefined || at === null) throw new Error(`${model}: no readyAt in status --json`);
  return at;
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
  return {
    ...coldStartFigures(model, waiting, firstBytes, health, sent),
    detectedMs: readyAt(home, model) - health,
  };
}

/** The distribution of first bytes (epoch ms) after the model's first /health answer. */
export function coldStartFigures(
  model: string,
  waiting: number,
  firstBytes: number[],
  healthAt: number,
  sentAt: number,
): ColdStart {
  const offsets = firstBytes.map((at) => at - healthAt).sort((a, b) => a - b);
  const rank = (q: number): number =>
    offsets[Math.min(offsets.length - 1, Math.floor(q * offsets.length))]!;
  return {
    model,
    waiting,
    firstMs: offsets[0]!,
    p50Ms: rank(0.5),
    p90Ms: rank(0.9),
    lastMs: offsets[offsets.length - 1]!,
    firstBytesMs: offsets.map((ms) => Math.round(ms * 10) / 10),
    totalMs: Math.min(...firstBytes) - sentAt,
  };
}

export function formatColdStart(c: ColdStart): string {
  const spread =
    c.waiting === 1
      ? ''
      : ` (p50 ${c.p50Ms.toFixed(1)}, p90 ${c.p90Ms.toFixed(1)}, last ${c.lastMs.toFixed(1)} ms)`;
  const detected =
    c.detectedMs === undefined ? '' : `; ready declared ${c.detectedMs.toFixed(0)} ms after it`;
  return `${c.waiting} waiting: first byte ${c.firstMs.toFixed(1)} ms after /health first answered${spread}${detected}; ${c.totalMs.toFixed(0)} ms from the request, load included`;
}
