import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m 30s', 150_000],
    ['1d2h', 93_600_000],
    ['1.5s', 1_500],
    ['0', 0],
    ['0s', 0],
    [' 5s ', 5_000],
  ])('parses %j as %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('takes 0 without a unit', () => {
    expect(parseDuration(0)).toBe(0);
  });

  it('refuses a number without a unit, naming the readings it could have', () => {
    expect(() => parseDuration(300)).toThrow(
      'expected a duration like "10m" or "30s"; a number needs a unit: "300s" (5m)? "300ms"?',
    );
    expect(() => parseDuration(45)).toThrow(
      'expected a duration like "10m" or "30s"; a number needs a unit: "45s"? "45ms"?',
    );
  });

  it.each(['ten minutes', '10 minutes', '10x', '', 'm', '-5s', '1m1h', '1s1s'])(
    'rejects %j with a hint',
    (input) => {
      expect(() => parseDuration(input)).toThrow(/expected a duration like "10m" or "30s"/);
    },
  );

  it('asks for a unit when a string has none', () => {
    expect(() => parseDuration('600')).toThrow('a number needs a unit: "600s" (10m)? "600ms"?');
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(RangeError);
    expect(() => parseDuration(Number.NaN)).toThrow(RangeError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [30_000, '30s'],
    [600_000, '10m'],
    [5_400_000, '1h30m'],
    [93_600_000, '1d2h'],
    [1_500, '1s500ms'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_001, 3_599_999, 86_400_000 + 1]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
