import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/audit-record.js';
import { ChartSeries } from './chart-series.js';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');

let n = 0;
function record(at: number, fields: Partial<AuditRecord> = {}): AuditRecord {
  n += 1;
  return {
    v: 1,
    time: new Date(at).toISOString(),
    requestId: `r${n}`,
    api: 'openai.chat',
    stream: true,
    model: 'qwen',
    resolvedModel: 'qwen',
    attempts: [],
    status: 200,
    complete: true,
    durationMs: 1_000,
    bytesIn: 10,
    bytesOut: 10,
    ...fields,
  } as AuditRecord;
}

describe('chart aggregation', () => {
  it('computes requests per second, mean ttft and tokens per second per minute', () => {
    let now = T0 + 30_000;
    const series = new ChartSeries(60, () => now);
    series.add(record(T0 + 1_000, { ttftMs: 100, durationMs: 1_100, usage: usage(50) }));
    series.add(record(T0 + 2_000, { ttftMs: 300, durationMs: 2_300, usage: usage(150) }));
    series.add(record(T0 + 3_000, { stream: false, durationMs: 500 }));
    const last = (m: 'rps' | 'ttft' | 'tps') => series.points('qwen', m).at(-1);
    expect(last('rps')).toEqual({ at: T0, value: 3 / 60 });
    expect(last('ttft')?.value).toBe(200);
    // 200 tokens over 1 s + 2 s of generation.
    expect(last('tps')?.value).toBeCloseTo(200 / 3);
    now += 60_000;
    expect(series.points('qwen', 'rps').at(-1)).toEqual({ at: T0 + 60_000, value: undefined });
    expect(series.points('qwen', 'rps').at(-2)?.value).toBe(3 / 60);
  });

  it('keeps models apart, by the model that answered', () => {
    const series = new ChartSeries(60, () => T0 + 1_000);
    series.add(record(T0, { resolvedModel: 'a' }));
    series.add(record(T0, { resolvedModel: 'b' }));
    series.add(record(T0, { resolvedModel: 'b' }));
    expect(series.models()).toEqual(['a', 'b']);
    expect(series.points('b', 'rps').at(-1)?.value).toBe(2 / 60);
  });

  it('counts a request once even when seen live and in a file', () => {
    const series = new ChartSeries(60, () => T0 + 1_000);
    const r = record(T0);
    series.add(r);
    series.add({ ...r });
    expect(series.points('qwen', 'rps').at(-1)?.value).toBe(1 / 60);
  });

  it('drops minutes that leave the window and ignores records older than it', () => {
    let now = T0;
    const series = new ChartSeries(60, () => now);
    series.add(record(T0 - 61 * 60_000));
    expect(series.models()).toEqual([]);
    series.add(record(T0));
    now = T0 + 60 * 60_000;
    expect(series.models()).toEqual([]);
    expect(series.points('qwen', 'rps')).toHaveLength(60);
    expect(series.points('qwen', 'rps').every((p) => p.value === undefined)).toBe(true);
  });

  it('leaves ttft and tokens per second empty without streams or usage', () => {
    const series = new ChartSeries(60, () => T0 + 1_000);
    series.add(record(T0, { stream: false }));
    expect(series.points('qwen', 'ttft').at(-1)?.value).toBeUndefined();
    expect(series.points('qwen', 'tps').at(-1)?.value).toBeUndefined();
  });
});

function usage(output: number) {
  return { input: 10, output, cacheRead: 0, cacheWrite: 0 };
}
