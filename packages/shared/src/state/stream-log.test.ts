import { describe, expect, it } from 'vitest';
import { compareIds, MemoryStreamLog } from './stream-log.js';

describe('the embedded stream', () => {
  it('keeps the newest maxLength entries with increasing ids, also within one millisecond', async () => {
    const log = new MemoryStreamLog(() => 1000);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await log.append('s', { i }, 5));
    expect(ids.slice(0, 3)).toEqual(['1000-0', '1000-1', '1000-2']);
    const all = await log.after('s', '0', 100);
    expect(all.map((e) => e.value)).toEqual([{ i: 3 }, { i: 4 }, { i: 5 }, { i: 6 }, { i: 7 }]);
  });

  it('never goes back in time when the clock does', async () => {
    let now = 2000;
    const log = new MemoryStreamLog(() => now);
    const a = await log.append('s', 1, 10);
    now = 1500;
    const b = await log.append('s', 2, 10);
    expect(compareIds(b, a)).toBeGreaterThan(0);
  });

  it('stores a copy, not the caller’s object', async () => {
    const log = new MemoryStreamLog();
    const value = { n: 1 };
    await log.append('s', value, 10);
    value.n = 2;
    expect((await log.latest('s', 1))[0]!.value).toEqual({ n: 1 });
  });
});
