import { ErrorCodes } from '@mlx-gateway/protocol';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { StallCounter } from './stall-counter.js';

const model = (name: string, wedgedAfter?: number) =>
  ({ name, ...(wedgedAfter === undefined ? {} : { wedgedAfter }) }) as LocalModelConfig;

const timeout = (phase: string, timeoutMs = 500) =>
  new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, 'slow', {
    details: { model: 'm', phase, timeoutMs },
  });

function counter() {
  const reports: Array<{ model: string; reason: string; pid: number | undefined }> = [];
  const stalls = new StallCounter((m, reason, pid) => reports.push({ model: m, reason, pid }));
  return { stalls, reports };
}

describe('stall counter', () => {
  it('reports a model once its requests stalled wedgedAfter times in a row, then counts anew', () => {
    const { stalls, reports } = counter();
    const m = model('qwen', 3);
    stalls.observe(m, timeout('first byte'), 41);
    stalls.observe(m, timeout('idle'), 41);
    expect(reports).toEqual([]);
    stalls.observe(m, timeout('idle', 250), 41);
    expect(reports).toEqual([
      {
        model: 'qwen',
        reason:
          '3 requests in a row stalled (the last one: nothing more for 250 ms, its idle timeout)',
        pid: 41,
      },
    ]);
    expect(stalls.count('qwen')).toBe(0);
    stalls.observe(m, timeout('first byte'), 41);
    expect(stalls.count('qwen')).toBe(1);
  });

  it('a success resets the count; other failures leave it alone', () => {
    const { stalls, reports } = counter();
    const m = model('qwen', 2);
    stalls.observe(m, timeout('first byte'), 1);
    stalls.observe(m, new GatewayError(ErrorCodes.STREAM_INTERRUPTED, 'client gone'), 1);
    stalls.observe(m, timeout('connect'), 1);
    stalls.observe(m, timeout('total'), 1);
    expect(stalls.count('qwen')).toBe(1);
    stalls.observe(m, undefined, 1);
    expect(stalls.count('qwen')).toBe(0);
    stalls.observe(m, timeout('first byte'), 1);
    expect(reports).toEqual([]);
  });

  it('counts each model on its own, with the default of 3, and never with wedgedAfter 0', () => {
    const { stalls, reports } = counter();
    const a = model('a');
    const off = model('off', 0);
    for (let i = 0; i < 5; i++) stalls.observe(off, timeout('idle'), undefined);
    stalls.observe(a, timeout('idle'), undefined);
    stalls.observe(a, timeout('idle'), undefined);
    expect(reports).toEqual([]);
    stalls.observe(a, timeout('first byte', 900), undefined);
    expect(reports).toEqual([
      {
        model: 'a',
        reason:
          '3 requests in a row stalled (the last one: nothing for 900 ms, its first byte timeout)',
        pid: undefined,
      },
    ]);
  });
});
