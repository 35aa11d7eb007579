// Cancellation inside the stand-in: when the client goes away, the pending token timer is
// cleared at once and nothing more is written or scheduled.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Generation, type Settlement } from '../standin/generation.js';

/** Just enough of a ServerResponse for Generation: writes, end, and the 'close' event. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  writableFinished = false;
  closed = false;
  write(chunk: string, callback?: () => void): boolean {
    this.written.push(chunk);
    callback?.();
    return true;
  }
  end(chunk?: string): void {
    if (chunk !== undefined) this.written.push(chunk);
    this.writableFinished = true;
    this.close();
  }
  destroy(): void {
    this.close();
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

function generation() {
  const res = new FakeResponse();
  const settlements: Settlement[] = [];
  const gen = new Generation(res as unknown as ServerResponse, (s) => settlements.push(s));
  return { res, gen, settlements };
}

describe('stand-in generation cancellation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('clears the pending token timer the moment the client disconnects', async () => {
    vi.useFakeTimers();
    const { res, gen, settlements } = generation();
    expect(await gen.write('data: first\n\n')).toBe(true);
    gen.tokens = 1;
    const waiting = gen.sleep(60_000);
    expect(vi.getTimerCount()).toBe(1);
    res.close();
    expect(await waiting).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(settlements).toEqual([{ outcome: 'aborted', tokens: 1 }]);
    expect(await gen.sleep(10)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(await gen.write('data: late\n\n')).toBe(false);
    expect(res.written).toEqual(['data: first\n\n']);
  });

  it('settles once as completed when the response ends normally', async () => {
    const { res, gen, settlements } = generation();
    expect(await gen.sleep(0)).toBe(true);
    gen.end('done');
    expect(res.written).toEqual(['done']);
    expect(settlements).toEqual([{ outcome: 'completed', tokens: 0 }]);
  });

  it('settles as broken, not aborted, when the stand-in breaks the connection', async () => {
    const { gen, settlements } = generation();
    gen.tokens = 3;
    await gen.breakConnection();
    expect(settlements).toEqual([{ outcome: 'broken', tokens: 3 }]);
  });
});
