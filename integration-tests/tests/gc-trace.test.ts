import { describe, expect, it } from 'vitest';
import { gcWindowLine, gcWindows } from '../bench/gc-trace.js';

const scavenge = (t: number, promoted: number, survived: number): string =>
  `[123:0x55d0c8a4b000]    ${t} ms: pause=1.8 mutator=5.9 gc=s reduce_memory=0 scavenge=1.78 ` +
  `allocated=1701600 promoted=${promoted} new_space_survived=${survived} nodes_died_in_new=1`;
const full = (t: number): string =>
  `[123:0x55d0c8a4b000]    ${t} ms: pause=12.0 mutator=40.1 gc=mc reduce_memory=0 promoted=0`;

describe('gcWindows', () => {
  it('averages the scavenges before a time and after it, and counts full collections', () => {
    const text = [
      'quiet gateway listening on http://127.0.0.1:4000',
      scavenge(500, 90_000, 200_000), // start-up: left out
      scavenge(3_000, 2_048, 100_000),
      scavenge(6_000, 4_096, 102_400),
      full(12_000),
      scavenge(12_400, 300_000, 300_000), // settling after the collection: left out
      scavenge(14_000, 143_360, 215_040),
      full(15_000),
      scavenge(16_000, 143_360, 215_040),
    ].join('\n');
    const { before, after } = gcWindows(text, 2_000, 12_000);
    expect(before).toEqual({
      scavenges: 2,
      promoted: 3_072,
      survived: 101_200,
      fullCollections: 0,
    });
    expect(after).toEqual({
      scavenges: 2,
      promoted: 143_360,
      survived: 215_040,
      fullCollections: 1,
    });
    expect(gcWindowLine(after)).toBe(
      'promoted 140 KB, survived 210 KB per scavenge (2 scavenges, 1 full collections)',
    );
  });

  it('reads nothing from lines that are not GC traces', () => {
    const { before, after } = gcWindows('hello\n[x] 12 ms: nothing', 0, 10);
    expect(before.scavenges + after.scavenges).toBe(0);
  });
});
