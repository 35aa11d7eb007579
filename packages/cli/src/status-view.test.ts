import { describe, expect, it } from 'vitest';
import type { ModelInfo, Snapshot } from '@mlx-gateway/protocol';
import { statusJson, statusTable } from './status-view.js';

const NOW = 1_000_000_000;

const ready: ModelInfo = {
  name: 'qwen',
  state: 'ready',
  owner: 'gateway',
  pid: 4242,
  port: 10240,
  since: NOW - 125_000,
  readyAt: NOW - 125_000,
  startedAt: NOW - 130_000,
  leases: 0,
  lastUsed: NOW - 5_000,
  memoryBytes: 4.5 * 1024 ** 3,
  idleStopAt: NOW + 595_000,
};
const busy: ModelInfo = { ...ready, name: 'llama', pid: 4343, port: 10241, leases: 2 };
delete busy.idleStopAt;
const operator: ModelInfo = { ...busy, name: 'mistral', owner: 'operator', leases: 0 };
const failed: ModelInfo = {
  name: 'broken',
  state: 'failed',
  pid: 99,
  since: NOW - 3_000,
  leases: 0,
  retryAt: NOW + 2_000,
  reason: 'exited with code 1\nlast lines',
};

describe('status table', () => {
  it('shows memory, uptime, the idle countdown and requests in flight per model', () => {
    expect(statusTable([ready, busy, operator, failed], NOW).split('\n')).toEqual([
      'MODEL    STATE   OWNER     PID   PORT   MEMORY   UPTIME  IDLE-STOP  IN-FLIGHT  SINCE  REASON',
      'qwen     ready   gateway   4242  10240  4.5 GiB  2m05s   in 9m55s   0          2m05s',
      'llama    ready   gateway   4343  10241  4.5 GiB  2m05s   busy       2          2m05s',
      'mistral  ready   operator  4343  10241  4.5 GiB  2m05s   never      0          2m05s',
      'broken   failed  -         -     -      -        -       -          0          3s     exited with code 1',
    ]);
  });

  it('adds FOOTPRINT and POLICY columns when the supervisor publishes them', () => {
    const withPolicy = {
      ...ready,
      footprintBytes: 300 * 1024 ** 2,
      footprintSource: 'measured',
      pinned: true,
      priority: 5,
    };
    const [header, row] = statusTable([withPolicy as ModelInfo], NOW).split('\n');
    expect(header).toContain('FOOTPRINT');
    expect(header).toContain('POLICY');
    expect(row).toContain('300 MiB (measured)');
    expect(row).toContain('pinned, priority 5');
  });
});

describe('status --json', () => {
  it('has every key for every model, null when not known', () => {
    const snapshot: Snapshot = { incarnation: 'inc-1', seq: 3, models: [ready, failed] };
    const json = statusJson(snapshot, NOW);
    expect(json).toMatchObject({ version: 1, at: NOW, supervisor: { incarnation: 'inc-1' } });
    expect(json.models[0]).toEqual({
      name: 'qwen',
      state: 'ready',
      owner: 'gateway',
      pid: 4242,
      port: 10240,
      memoryBytes: 4.5 * 1024 ** 3,
      footprintBytes: null,
      footprintSource: null,
      pinned: null,
      priority: null,
      inFlight: 0,
      startedAt: NOW - 130_000,
      readyAt: NOW - 125_000,
      uptimeMs: 125_000,
      idleStopAt: NOW + 595_000,
      idleStopInMs: 595_000,
      lastUsed: NOW - 5_000,
      since: NOW - 125_000,
      retryAt: null,
      reason: null,
      queue: null,
    });
    expect(Object.keys(json.models[1]!)).toEqual(Object.keys(json.models[0]!));
    // A failed model's stale pid is not shown as running.
    expect(json.models[1]).toMatchObject({ pid: null, port: null, retryAt: NOW + 2_000 });
  });
});
