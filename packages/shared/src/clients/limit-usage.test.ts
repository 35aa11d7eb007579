import { describe, expect, it } from 'vitest';
import { describeUsage, readLimitUsage } from './limit-usage.js';
import type { LimitedScope } from './limit-usage.js';
import { budgetWindow, minuteWindow, scopeLimitKeys } from './limit-windows.js';

// 2026-01-31 23:59:30 UTC: the minute, the day and the month all end 30 s later.
const NOW = Date.UTC(2026, 0, 31, 23, 59, 30);

/** Counters in a map; records every call's keys. */
function counters(values: Record<string, number>) {
  const calls: string[][] = [];
  const read = (keys: readonly string[]) => {
    calls.push([...keys]);
    return Promise.resolve(keys.map((k) => values[k] ?? 0));
  };
  return { read, calls };
}

describe('scopeLimitKeys', () => {
  it("names a client key's counters under limits: and a model's under model-limits:", () => {
    const minute = minuteWindow(NOW);
    const day = budgetWindow('day', NOW);
    const client = scopeLimitKeys('client', 'ci');
    const model = scopeLimitKeys('model', 'gpt-4o');
    expect(client.requests(minute)).toBe(`limits:ci:rpm:${minute.id}`);
    expect(client.tokens(minute)).toBe(`limits:ci:tpm:${minute.id}`);
    expect(client.budget(day)).toBe(`limits:ci:budget:${day.id}`);
    expect(client.inflight).toBe('limits:ci:inflight');
    expect(model.requests(minute)).toBe(`model-limits:gpt-4o:rpm:${minute.id}`);
    expect(model.inflight).toBe('model-limits:gpt-4o:inflight');
  });
});

describe('readLimitUsage', () => {
  it('reads every limit of every scope in one call, from the current windows', async () => {
    const minute = minuteWindow(NOW);
    const month = budgetWindow('month', NOW);
    const ci = scopeLimitKeys('client', 'ci');
    const gpt = scopeLimitKeys('model', 'gpt');
    const { read, calls } = counters({
      [ci.requests(minute)]: 3,
      [ci.tokens(minute)]: 1200,
      [ci.inflight]: 1,
      [ci.budget(month)]: 50_000,
      [gpt.requests(minute)]: 7,
      // Another minute's count is not this minute's.
      [ci.requests(minuteWindow(NOW - 60_000))]: 99,
    });
    const scopes: LimitedScope[] = [
      {
        kind: 'client',
        name: 'ci',
        limits: {
          rpm: 60,
          tpm: 10_000,
          concurrency: 2,
          budget: { tokens: 1_000_000, per: 'month' },
        },
      },
      { kind: 'model', name: 'gpt', limits: { rpm: 500 } },
      { kind: 'client', name: 'idle', limits: { tpm: 5 } },
    ];
    const usage = await readLimitUsage(read, scopes, NOW);
    expect(calls).toHaveLength(1);
    const minuteEnd = '2026-02-01T00:00:00.000Z';
    expect(usage).toEqual([
      {
        rpm: { used: 3, limit: 60, resetAt: minuteEnd },
        tpm: { used: 1200, limit: 10_000, resetAt: minuteEnd },
        concurrency: { used: 1, limit: 2 },
        budget: { used: 50_000, limit: 1_000_000, per: 'month', resetAt: minuteEnd },
      },
      { rpm: { used: 7, limit: 500, resetAt: minuteEnd } },
      { tpm: { used: 0, limit: 5, resetAt: minuteEnd } },
    ]);
  });

  it('shows a count below 0 as 0, and reads nothing for no scope', async () => {
    const { read, calls } = counters({ 'limits:ci:inflight': -2 });
    const [usage] = await readLimitUsage(
      read,
      [{ kind: 'client', name: 'ci', limits: { concurrency: 4 } }],
      NOW,
    );
    expect(usage).toEqual({ concurrency: { used: 0, limit: 4 } });
    expect(await readLimitUsage(read, [], NOW)).toEqual([]);
    expect(calls.at(-1)).toEqual([]);
  });

  it('a daily budget ends at UTC midnight', async () => {
    const noon = Date.UTC(2026, 5, 10, 12);
    const { read } = counters({});
    const [usage] = await readLimitUsage(
      read,
      [{ kind: 'model', name: 'm', limits: { budget: { tokens: 100, per: 'day' } } }],
      noon,
    );
    expect(usage!.budget).toEqual({
      used: 0,
      limit: 100,
      per: 'day',
      resetAt: '2026-06-11T00:00:00.000Z',
    });
  });
});

describe('describeUsage', () => {
  it('says the usage against each limit, in the order of the limits', () => {
    expect(
      describeUsage({
        rpm: { used: 3, limit: 60, resetAt: '' },
        tpm: { used: 120, limit: 1000, resetAt: '' },
        concurrency: { used: 0, limit: 2 },
        budget: { used: 500, limit: 10_000, per: 'day', resetAt: '' },
      }),
    ).toBe('3/60 rpm, 120/1000 tpm, 0/2 in flight, 500/10000 this day');
    expect(describeUsage({})).toBe('');
  });
});
