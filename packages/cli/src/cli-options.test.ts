import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseLineCount, parsePort } from './cli-options.js';

describe('parsePort', () => {
  it.each([
    ['8080', 8080],
    ['1', 1],
    ['65535', 65535],
  ])('takes %j', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });

  it.each(['abc', '', '0', '65536', '80.5', '-1', '8080x', '0x50'])('refuses %j', (text) => {
    expect(() => parsePort(text)).toThrow(InvalidArgumentError);
    expect(() => parsePort(text)).toThrow(`"${text}" is not a port`);
  });
});

describe('parseLineCount', () => {
  it('takes a whole number of 1 or more', () => {
    expect(parseLineCount('50')).toBe(50);
  });

  it.each(['abc', '0', '-5', '1.5', ''])('refuses %j', (text) => {
    expect(() => parseLineCount(text)).toThrow(`"${text}" is not a number of lines`);
  });
});
