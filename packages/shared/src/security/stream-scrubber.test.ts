import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecret, registerSecret } from './redact.js';
import { SecretMatcher } from './secret-matcher.js';
import { StreamScrubber, scrubBody } from './stream-scrubber.js';

const KEYS = [
  'sk-proj-Q7vLm2Xc9TzR4bNw8KpD1fHs',
  'mgw-Zr8Hq3LmW0pTy6VbXc5NaE2u',
  'clé-ünïcode-9fK2pQ7x',
];

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every form in which a secret must not leave: whole, a 6-character end, a masked suffix. */
function leaks(text: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    if (text.includes(s.slice(0, 6))) found.push(`prefix of ${s}`);
    if (text.includes(s.slice(-6))) found.push(`suffix of ${s}`);
    const masked = new RegExp(
      `(?:[*•….·xX#]){3}${s.slice(-4).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    );
    if (masked.test(text)) found.push(`masked ${s}`);
  }
  return found;
}

function streamThrough(scrubber: StreamScrubber, bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(scrubber.push(bytes.subarray(at, cut)));
    at = cut;
  }
  out.push(scrubber.end());
  return out;
}

function sample(random: () => number): string {
  const pieces = [
    'data: {"choices":[{"delta":{"content":"',
    'hello ',
    'world',
    '"}}]}\n\n',
    'ü',
    '...',
    '***',
    's',
    'sk-',
    ' key: ',
  ];
  const separators = [' ', '"', ':', '\n', '\n\n', '/'];
  let text = '';
  for (let i = 0; i < 30; i++) {
    const r = random();
    const key = KEYS[Math.floor(random() * KEYS.length)] as string;
    if (r < 0.1) text += key;
    else if (r < 0.15) text += key.slice(0, 6 + Math.floor(random() * 8));
    else if (r < 0.2) text += key.slice(-(6 + Math.floor(random() * 8)));
    else if (r < 0.25)
      text += `${key.slice(0, Math.floor(random() * 10))}${'*'.repeat(3 + Math.floor(random() * 10))}${key.slice(-4 - Math.floor(random() * 3))}`;
    else text += pieces[Math.floor(random() * pieces.length)];
    // Parts of secrets are tokens of their own (a letter or digit next to one makes it part
    // of a longer word, which the matcher leaves alone by design).
    text += separators[Math.floor(random() * separators.length)];
  }
  return text;
}

describe('StreamScrubber', () => {
  const matcher = new SecretMatcher(KEYS, 'latin1');

  it('scrubs secrets and their parts at any split point (fuzzed)', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = rng(seed);
      const bytes = Buffer.from(sample(random), 'utf8');
      const cuts = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
            Math.floor(random() * bytes.length),
          ),
        ),
      ].sort((a, b) => a - b);
      const out = Buffer.concat(
        streamThrough(new StreamScrubber(() => matcher), bytes, cuts),
      ).toString('utf8');
      expect({ seed, leaks: leaks(out, KEYS) }).toEqual({ seed, leaks: [] });
    }
  });

  it('splits a secret at every position and still scrubs it whole', () => {
    const key = KEYS[0] as string;
    const bytes = Buffer.from(`data: {"error":"bad key ${key}"}\n\n`);
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = Buffer.concat(streamThrough(new StreamScrubber(() => matcher), bytes, [cut]));
      expect(out.toString()).toBe('data: {"error":"bad key [redacted]"}\n\n');
    }
  });

  it('returns a chunk without secrets as the same buffer, holding nothing', () => {
    const scrubber = new StreamScrubber(() => matcher);
    const chunk = Buffer.from('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
    expect(scrubber.push(chunk)).toBe(chunk);
    expect(scrubber.pending).toBe(0);
  });

  it('never holds back a chunk that ends an SSE event', () => {
    const scrubber = new StreamScrubber(() => matcher);
    const key = KEYS[1] as string;
    const first = scrubber.push(Buffer.from(`data: {"a":"${key.slice(0, 3)}`));
    expect(scrubber.pending).toBe(3);
    const second = scrubber.push(Buffer.from(`${key.slice(3)}"}\n\n`));
    expect(scrubber.pending).toBe(0);
    expect(Buffer.concat([first, second]).toString()).toBe('data: {"a":"[redacted]"}\n\n');
  });

  it('holds at most a few bytes for a tail that may start a secret', () => {
    const scrubber = new StreamScrubber(() => matcher);
    const out = scrubber.push(Buffer.from('some text then sk-p'));
    expect(out.toString()).toBe('some text then ');
    expect(scrubber.end().toString()).toBe('sk-p');
  });

  it('passes everything through when no secret is known', () => {
    const empty = new SecretMatcher([], 'latin1');
    const scrubber = new StreamScrubber(() => empty);
    const chunk = Buffer.from(`anything ${KEYS[0]}`);
    expect(scrubber.push(chunk)).toBe(chunk);
  });
});

describe('scrubBody and the registry', () => {
  const key = 'up-key-Hq3LmW0pTy6VbXc5NaE2uZr8';
  afterEach(() => forgetSecret(key));

  it('uses the secrets registered with registerSecret', () => {
    const body = Buffer.from(`{"error":"Incorrect API key provided: up-key********E2uZr8"}`);
    expect(scrubBody(body)).toBe(body);
    registerSecret(key);
    expect(scrubBody(body).toString()).toBe('{"error":"Incorrect API key provided: [redacted]"}');
    const scrubber = new StreamScrubber();
    expect(
      Buffer.concat([
        scrubber.push(Buffer.from(`x ${key.slice(0, 9)}`)),
        scrubber.push(Buffer.from(`${key.slice(9)} y`)),
        scrubber.end(),
      ]).toString(),
    ).toBe('x [redacted] y');
  });
});
