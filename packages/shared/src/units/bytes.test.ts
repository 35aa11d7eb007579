import { describe, expect, it } from 'vitest';
import { formatBytes, formatMemory, parseBytes } from './bytes.js';

describe('parseBytes', () => {
  it.each([
    ['48GB', 48e9],
    ['512MiB', 512 * 2 ** 20],
    ['10MB', 10e6],
    ['10 MB', 10e6],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['64KiB', 65_536],
    ['2TB', 2e12],
    ['100B', 100],
    ['16gb', 16e9],
  ])('parses %j as %d bytes', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });

  it('takes a number as bytes', () => {
    expect(parseBytes(4096)).toBe(4096);
  });

  it('asks for a unit when a string has none', () => {
    expect(() => parseBytes('4096')).toThrow(/add a unit/);
  });

  it.each(['lots', '48 gigabytes', '-1GB', 'GB', ''])('rejects %j with a hint', (input) => {
    expect(() => parseBytes(input)).toThrow(/expected a size like "512MiB" or "48GB"/);
  });

  it('names an unknown unit', () => {
    expect(() => parseBytes('5XB')).toThrow(/"XB" is not a unit/);
  });

  it('rejects negative numbers', () => {
    expect(() => parseBytes(-1)).toThrow(RangeError);
  });
});

describe('formatBytes', () => {
  it.each([
    [48e9, '48GB'],
    [512 * 2 ** 20, '512MiB'],
    [10e6, '10MB'],
    [2 ** 30, '1GiB'],
    [1.5 * 2 ** 30, '1536MiB'],
    [1_234_567_890, '1.1GiB'],
    [500, '500B'],
    [0, '0B'],
  ])('formats %d as %j', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('round-trips exact values through parseBytes', () => {
    for (const bytes of [1, 1000, 1024, 10e6, 512 * 2 ** 20, 48e9, 3 * 2 ** 40]) {
      expect(parseBytes(formatBytes(bytes))).toBe(bytes);
    }
  });
});

describe('formatMemory', () => {
  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [812 * 1024 ** 2, '812 MiB'],
    [4.25 * 1024 ** 3, '4.3 GiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatMemory(bytes)).toBe(text);
  });
});
