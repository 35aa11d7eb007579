import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '@mlx-gateway/protocol';
import { SupervisorFigures } from './supervisor-figures.js';

const info = (name: string, state: ModelInfo['state'], extra: Partial<ModelInfo> = {}): ModelInfo =>
  ({ name, state, owner: 'gateway', leases: 0, ...extra }) as ModelInfo;

describe('SupervisorFigures', () => {
  it('counts starts, load time, stops by reason, evictions and unexpected exits from state changes', async () => {
    const f = new SupervisorFigures();
    try {
      f.observe(info('a', 'stopped'), 0);
      f.observe(info('a', 'starting'), 1_000);
      f.observe(info('a', 'ready'), 4_000);
      f.observe(info('a', 'stopping', { reason: 'idle for 300s' }), 10_000);
      f.observe(info('a', 'stopped'), 11_000);
      f.observe(info('a', 'starting'), 12_000);
      f.observe(info('a', 'ready'), 13_000);
      f.observe(info('a', 'stopping', { reason: "evicted to make room for 'b'" }), 14_000);
      f.observe(info('a', 'stopped'), 15_000);
      f.observe(info('a', 'starting'), 16_000);
      f.observe(info('a', 'failed', { reason: 'crashed' }), 17_000);
      f.observe(info('b', 'starting'), 0);
      f.observe(info('b', 'ready'), 2_000);
      f.observe(
        info('b', 'stopped', { reason: 'model process exited with code 1 while ready' }),
        3_000,
      );
      f.waited('a', 2_500);

      const snap = await f.snapshot(
        [info('a', 'failed'), info('b', 'ready', { pid: 42 })],
        (pid) => Promise.resolve(pid * 1_000),
        99,
      );
      expect(snap.v).toBe(1);
      expect(snap.at).toBe(99);
      expect(snap.models).toEqual([
        { model: 'a', state: 'failed' },
        { model: 'b', state: 'ready', residentBytes: 42_000 },
      ]);
      expect(snap.starts).toEqual(
        expect.arrayContaining([
          { model: 'a', result: 'ok', count: 2 },
          { model: 'a', result: 'failed', count: 1 },
          { model: 'b', result: 'ok', count: 1 },
        ]),
      );
      expect(snap.stops).toEqual([{ model: 'a', reason: 'idle', count: 1 }]);
      expect(snap.evictions).toEqual([{ model: 'a', reason: 'capacity', count: 1 }]);
      expect(snap.unexpectedExits).toEqual([{ model: 'b', count: 1 }]);
      const load = snap.loadDuration.find((e) => e.model === 'a')!.histogram;
      expect(load.count).toBe(2);
      expect(load.sum).toBe(4);
      expect(snap.readyWait).toEqual([
        { model: 'a', histogram: expect.objectContaining({ count: 1, sum: 2.5 }) },
      ]);
      expect(snap.process.residentBytes).toBeGreaterThan(0);
    } finally {
      f.close();
    }
  });
});
