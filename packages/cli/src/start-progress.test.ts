import { describe, expect, it } from 'vitest';
import type { ModelInfo, Snapshot, SupervisorClient } from '@mlx-gateway/protocol';
import {
  progressLine,
  StartProgress,
  supervisorProgress,
  WAITING_FOR_CAPACITY,
  type ProgressSource,
} from './start-progress.js';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  return { out: { isTTY, columns: 40, write: (t: string) => written.push(t) }, written };
}

function scripted(lines: Array<string | undefined>, startedAt?: number): ProgressSource {
  let i = 0;
  return {
    lastLine: () => Promise.resolve(lines[Math.min(i++, lines.length - 1)]),
    startedAt: () => Promise.resolve(startedAt),
  };
}

describe('start progress', () => {
  it('formats the model, the elapsed time and the last log line', () => {
    expect(progressLine('qwen', 75_000, '  Waiting for handler process  ')).toBe(
      'starting qwen: 1m15s  Waiting for handler process',
    );
    expect(progressLine('qwen', 2_000, undefined)).toBe('starting qwen: 2s');
  });

  it('prints a plain line only when the log line changes when not on a terminal', async () => {
    let now = 10_000;
    const { out, written } = recorder(false);
    const progress = new StartProgress({
      model: 'qwen',
      source: scripted(['banner', 'banner', 'loading'], 9_000),
      out,
      now: () => now,
    });
    await progress.tick();
    now += 1_000;
    await progress.tick();
    now += 1_000;
    await progress.tick();
    await progress.stop();
    // The elapsed time counts from the supervisor's start, not from the command's.
    expect(written).toEqual(['starting qwen: 1s  banner\n', 'starting qwen: 3s  loading\n']);
  });

  it('rewrites one line on a terminal, cut to its width, and clears it at the end', async () => {
    let now = 0;
    const { out, written } = recorder(true);
    const progress = new StartProgress({
      model: 'qwen',
      source: scripted(['a very long log line that does not fit in forty columns at all']),
      out,
      now: () => now,
    });
    await progress.tick();
    now += 1_000;
    await progress.tick();
    await progress.stop();
    expect(written).toEqual([
      '\r\x1b[2Kstarting qwen: 0s  a very long log lin…',
      '\r\x1b[2Kstarting qwen: 1s  a very long log lin…',
      '\r\x1b[2K',
    ]);
  });

  it('keeps the last known line when the supervisor does not answer a tick', async () => {
    const { out, written } = recorder(false);
    let fail = false;
    const source: ProgressSource = {
      lastLine: () => (fail ? Promise.reject(new Error('busy')) : Promise.resolve('loading')),
      startedAt: () => Promise.resolve(undefined),
    };
    const progress = new StartProgress({ model: 'qwen', source, out, now: () => 0 });
    await progress.tick();
    fail = true;
    await progress.tick();
    expect(written).toEqual(['starting qwen: 0s  loading\n']);
  });
});

describe('the supervisor as progress source', () => {
  function fakeClient(states: Array<Partial<ModelInfo>>, logLine: string) {
    let i = 0;
    const asked: string[] = [];
    const client = {
      request: (body: { cmd: string }) => {
        asked.push(body.cmd);
        if (body.cmd === 'logs') return Promise.resolve({ model: 'qwen', lines: [logLine] });
        const info = { name: 'qwen', since: 0, leases: 0, state: 'stopped', ...states[i++] };
        const snapshot: Snapshot = { incarnation: 'i', seq: 0, models: [info as ModelInfo] };
        return Promise.resolve(snapshot);
      },
    };
    return { client: client as unknown as SupervisorClient, asked };
  }

  it('shows log lines only once this start has a process; before, that it waits for capacity', async () => {
    const { client, asked } = fakeClient(
      [
        { state: 'failed' },
        { state: 'starting', startedAt: 5 },
        { state: 'starting', startedAt: 5, pid: 9 },
      ],
      'Loading weights',
    );
    const source = supervisorProgress(client, 'qwen');
    const tick = async () => [await source.startedAt(), await source.lastLine()];
    // The previous run's failure: its log lines are not this start's.
    expect(await tick()).toEqual([undefined, undefined]);
    expect(await tick()).toEqual([5, WAITING_FOR_CAPACITY]);
    expect(await tick()).toEqual([5, 'Loading weights']);
    expect(asked).toEqual(['status', 'status', 'status', 'logs']);
  });
});
