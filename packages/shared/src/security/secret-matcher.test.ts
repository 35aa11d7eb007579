import { describe, expect, it } from 'vitest';
import { SecretMatcher } from './secret-matcher.js';

const KEY = 'sk-proj-Q7vLm2Xc9TzR4bNw8KpD1fHs';
const R = '[redacted]';

function scrub(text: string, values: string[] = [KEY]): string {
  return new SecretMatcher(values).scrub(text, R);
}

describe('SecretMatcher', () => {
  it('scrubs the whole value wherever it appears', () => {
    expect(scrub(`key ${KEY} and "${KEY}"`)).toBe(`key ${R} and "${R}"`);
  });

  it('scrubs prefixes and suffixes of 6 characters or more, not shorter ones', () => {
    expect(scrub(`a ${KEY.slice(0, 6)} b`)).toBe(`a ${R} b`);
    expect(scrub(`a ${KEY.slice(0, 14)}zz b`)).toBe(`a ${R}zz b`);
    expect(scrub(`a ${KEY.slice(-6)} b`)).toBe(`a ${R} b`);
    expect(scrub(`a zz${KEY.slice(-11)} b`)).toBe(`a zz${R} b`);
    expect(scrub(`a ${KEY.slice(0, 5)} ${KEY.slice(-5)} b`)).toBe(
      `a ${KEY.slice(0, 5)} ${KEY.slice(-5)} b`,
    );
  });

  it('scrubs masked forms: prefix, mask run, suffix of 4 or more', () => {
    const masked = `${KEY.slice(0, 12)}************${KEY.slice(-4)}`;
    expect(scrub(`Incorrect API key provided: ${masked}. See docs`)).toBe(
      `Incorrect API key provided: ${R}. See docs`,
    );
    expect(scrub(`key sk-...${KEY.slice(-4)} is wrong`)).toBe(`key ${R} is wrong`);
    expect(scrub(`key ****${KEY.slice(-4)}`)).toBe(`key ${R}`);
    expect(scrub(`key ••••${KEY.slice(-4)}`)).toBe(`key ${R}`);
    // Four characters without a mask before them are not a part.
    expect(scrub(`word ${KEY.slice(-4)} here`)).toBe(`word ${KEY.slice(-4)} here`);
  });

  it('leaves text without secrets as the same string', () => {
    const text = 'nothing to see here... **** 1234';
    expect(new SecretMatcher([KEY]).scrub(text, R)).toBe(text);
    expect(new SecretMatcher([]).scrub(text, R)).toBe(text);
  });

  it('ignores values too short to have parts', () => {
    expect(new SecretMatcher(['short']).empty).toBe(true);
  });

  it('scrubs several secrets, overlapping matches merged', () => {
    const other = 'mgw-Zr8Hq3LmW0pTy6VbXc5N';
    expect(scrub(`${KEY}${other} x`, [KEY, other])).toBe(`${R} x`);
  });

  it('works on UTF-8 bytes read as latin1', () => {
    const key = 'clé-secrète-ünïcode-42';
    const matcher = new SecretMatcher([key], 'latin1');
    const bytes = Buffer.from(`x ${key} y`, 'utf8');
    expect(matcher.mightContainBytes(bytes)).toBe(true);
    const out = Buffer.from(matcher.scrub(bytes.toString('latin1'), R), 'latin1');
    expect(out.toString('utf8')).toBe(`x ${R} y`);
  });

  it('finds anchors in bytes however often their probe byte occurs before them', () => {
    const matcher = new SecretMatcher([KEY], 'latin1');
    for (const filler of ['', 'k'.repeat(30), 'sk-prx '.repeat(12)]) {
      expect(matcher.mightContainBytes(Buffer.from(`${filler} x`))).toBe(false);
      expect(matcher.mightContainBytes(Buffer.from(`${filler} ${KEY.slice(0, 6)}`))).toBe(true);
      expect(matcher.mightContainBytes(Buffer.from(`${filler} **${KEY.slice(-4)}`))).toBe(true);
    }
  });

  it('finds each anchor at every offset of short and long buffers (the two searches)', () => {
    const matcher = new SecretMatcher([KEY, 'mgw-Zr8Hq3LmW0pTy6VbXc5N'], 'latin1');
    const text =
      'data: {"choices":[{"delta":{"content":"the model is here, and then it said"}}]}\n\n';
    for (const anchor of [KEY.slice(0, 6), `**${KEY.slice(-4)}`, 'mgw-Zr', '..Xc5N']) {
      for (const length of [8, 40, 95, 96, 97, 160, 300]) {
        const filler = text.repeat(4).slice(0, length);
        expect(matcher.mightContainBytes(Buffer.from(filler))).toBe(false);
        for (let at = 0; at <= length; at++) {
          const bytes = Buffer.from(filler.slice(0, at) + anchor + filler.slice(at));
          expect(matcher.mightContainBytes(bytes)).toBe(true);
        }
      }
    }
  });

  it('holds back only a tail that could start a match', () => {
    const matcher = new SecretMatcher([KEY]);
    expect(matcher.holdFrom('data: {"a":1}\n\n')).toBe(15);
    expect(matcher.holdFrom(`text sk-pr`)).toBe(5);
    expect(matcher.holdFrom(`text ${KEY.slice(0, 20)}`)).toBe(5);
    expect(matcher.holdFrom(`text ${KEY.slice(0, 10)}****`)).toBe(15);
    expect(matcher.holdFrom(`text ab****`)).toBe(7);
    expect(matcher.holdFrom(`text ${KEY}`)).toBe(5);
    expect(matcher.holdFrom('plain words!')).toBe(12);
    expect(matcher.holdFrom('ends in s')).toBe(8);
  });

  it('is linear on long text of mask characters and near misses', () => {
    const text = `${'*'.repeat(200_000)}${KEY.slice(0, 5)}${'.'.repeat(100_000)}`;
    const started = performance.now();
    new SecretMatcher([KEY]).scrub(text, R);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
