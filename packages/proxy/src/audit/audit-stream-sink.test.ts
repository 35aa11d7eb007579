import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore, StateStoreHealth } from '@mlx-gateway/shared/state';
import type { AuditRecord } from './audit-record.js';
import { AUDIT_STREAM } from './audit-sink.js';
import { AuditStreamSink } from './audit-stream-sink.js';
import type { AuditStreamSinkOptions } from './audit-stream-sink.js';

function record(n: number): AuditRecord {
  return {
    v: 1,
    time: new Date(Date.UTC(2026, 11, 4) + n).toISOString(),
    requestId: `req-${n}`,
    api: 'openai.chat',
    stream: false,
    attempts: [],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 0,
  };
}

/** A state store whose stream appends can be made to fail, and whose health can be set. */
class FakeStore {
  readonly kind = 'redis' as const;
  state: StateStoreHealth = 'ok';
  failing: Error | undefined;
  appended: Array<{ stream: string; id: string; maxLength: number }> = [];
  calls = 0;
  health(): StateStoreHealth {
    return this.state;
  }
  append(stream: string, value: unknown, maxLength: number): Promise<string> {
    this.calls++;
    if (this.failing !== undefined) return Promise.reject(this.failing);
    this.appended.push({ stream, id: (value as AuditRecord).requestId, maxLength });
    return Promise.resolve(`${this.appended.length}-0`);
  }
  ids(): string[] {
    return this.appended.map((a) => a.id);
  }
}

let now: number;
const sinks: AuditStreamSink[] = [];

function sink(store: FakeStore | StateStore, options: Partial<AuditStreamSinkOptions> = {}) {
  const s = new AuditStreamSink({
    state: () => Promise.resolve(store as unknown as StateStore),
    maxLength: 1000,
    now: () => now,
    ...options,
  });
  sinks.push(s);
  return s;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  now = 0;
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close();
  vi.useRealTimers();
});

describe('AuditStreamSink', () => {
  it('queues records and sends them within a second, trimmed to maxLength, not at each write', async () => {
    const store = new FakeStore();
    const s = sink(store, { maxLength: 5000 });
    s.write(record(1));
    s.write(record(2));
    expect(store.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.appended).toEqual([
      { stream: AUDIT_STREAM, id: 'req-1', maxLength: 5000 },
      { stream: AUDIT_STREAM, id: 'req-2', maxLength: 5000 },
    ]);
    expect(s.stats).toMatchObject({ written: 2, pending: 0, incidents: 0 });
  });

  it('leaves captured bodies out of the stream (they stay in the local files)', async () => {
    const sent: unknown[] = [];
    const store = new FakeStore();
    store.append = (_s: string, value: unknown) => {
      sent.push(value);
      return Promise.resolve('1-0');
    };
    const s = sink(store);
    const captured = { ...record(1), capture: { request: '{"secret":1}', truncated: false } };
    s.write(captured);
    await s.close();
    expect(sent).toEqual([record(1)]);
    expect(captured.capture).toBeDefined();
  });

  it('sends every queued record on close, and counts a record written after it as dropped', async () => {
    const store = new FakeStore();
    const s = sink(store);
    for (let i = 0; i < 600; i++) s.write(record(i));
    await s.close();
    expect(store.appended).toHaveLength(600);
    s.write(record(601));
    expect(s.stats).toMatchObject({ written: 600, dropped: 1 });
  });

  it('an unreachable Redis: reported once, counted, one probe per tick, everything sent once back', async () => {
    const store = new FakeStore();
    const problems: string[] = [];
    const recovered: number[] = [];
    const s = sink(store, {
      onProblem: (err) => problems.push(err.message),
      onRecovered: (dropped) => recovered.push(dropped),
    });
    store.failing = new Error("Stream isn't writeable");
    for (let i = 1; i <= 3; i++) s.write(record(i));
    await s.flush();
    const callsAfterFirst = store.calls;
    s.write(record(4));
    await s.flush();
    await s.flush();
    expect(problems).toEqual(["Stream isn't writeable"]);
    // The first try sends the batch; later ones a single probe each.
    expect(store.calls - callsAfterFirst).toBe(2);
    expect(s.stats).toMatchObject({ written: 0, pending: 4, incidents: 1, writeErrors: 3 });
    store.failing = undefined;
    await s.flush();
    expect(store.ids()).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    expect(recovered).toEqual([0]);
    expect(s.stats).toMatchObject({ written: 4, pending: 0, dropped: 0 });
  });

  it('keeps at most maxPendingRecords while Redis is away, dropping the oldest', async () => {
    const store = new FakeStore();
    store.failing = new Error('down');
    const recovered: number[] = [];
    const s = sink(store, { maxPendingRecords: 3, onRecovered: (d) => recovered.push(d) });
    for (let i = 1; i <= 5; i++) s.write(record(i));
    await s.flush();
    expect(s.stats).toMatchObject({ dropped: 2, pending: 3 });
    store.failing = undefined;
    await s.flush();
    expect(store.ids()).toEqual(['req-3', 'req-4', 'req-5']);
    expect(recovered).toEqual([2]);
  });

  it('a store still connecting is no incident; one that stays down past the grace is', async () => {
    const store = new FakeStore();
    store.state = 'down';
    const problems: string[] = [];
    const s = sink(store, { downGraceMs: 2_000, onProblem: (err) => problems.push(err.message) });
    s.write(record(1));
    await s.flush();
    now = 1_000;
    await s.flush();
    expect(problems).toEqual([]);
    expect(store.calls).toBe(0);
    now = 2_500;
    await s.flush();
    expect(problems).toEqual(['the redis state store is not connected']);
    store.state = 'ok';
    await s.flush();
    expect(store.ids()).toEqual(['req-1']);
  });

  it('a store that cannot be opened is an incident too; at close, what is left is dropped', async () => {
    const problems: string[] = [];
    const s = new AuditStreamSink({
      state: () => Promise.reject(new Error('no password for redis')),
      maxLength: 10,
      onProblem: (err) => problems.push(err.message),
    });
    s.write(record(1));
    await s.close();
    expect(problems).toEqual(['no password for redis']);
    expect(s.stats).toMatchObject({ written: 0, dropped: 1, pending: 0 });
  });

  it('appends through the state store API (the embedded store standing in for Redis)', async () => {
    const store = await openStateStore({ keyPrefix: 'sink-test:', whenDown: 'serve' });
    try {
      const s = sink(store, { maxLength: 2 });
      for (let i = 1; i <= 3; i++) s.write(record(i));
      await s.flush();
      const latest = await store.latest(AUDIT_STREAM, 10);
      expect(latest.map((e) => (e.value as AuditRecord).requestId)).toEqual(['req-3', 'req-2']);
    } finally {
      await store.close();
    }
  });
});
