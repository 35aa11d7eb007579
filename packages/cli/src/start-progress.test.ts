import { describe, expect, it } from 'vitest';
import { progressLine, StartProgress, type ProgressSource } from './start-progress.js';

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
