import { describe, expect, it } from 'vitest';
import { LiveList } from './live-list.js';

describe('LiveList', () => {
  it('keeps items oldest first, whichever leave and in whatever order', () => {
    const list = new LiveList<string>();
    const a = list.add('a');
    const b = list.add('b');
    const c = list.add('c');
    const d = list.add('d');
    expect(list.items()).toEqual(['a', 'b', 'c', 'd']);
    list.remove(b);
    expect(list.items()).toEqual(['a', 'c', 'd']);
    list.remove(a);
    list.remove(d);
    expect(list.items()).toEqual(['c']);
    expect(list.size).toBe(1);
    list.add('e');
    list.remove(c);
    expect(list.items()).toEqual(['e']);
    list.clear();
    expect(list.items()).toEqual([]);
    expect(list.size).toBe(0);
  });

  it('takes an entry out once: a second remove changes nothing', () => {
    const list = new LiveList<number>();
    const one = list.add(1);
    list.add(2);
    list.remove(one);
    list.remove(one);
    expect(list.items()).toEqual([2]);
    expect(list.size).toBe(1);
  });

  it('leaves an entry that went out pointing at no other (nothing for a collector to follow)', () => {
    const list = new LiveList<number>();
    const entries = [1, 2, 3].map((n) => list.add(n));
    const middle = entries[1]!;
    expect(middle.prev).toBe(entries[0]);
    expect(middle.next).toBe(entries[2]);
    list.remove(middle);
    expect(middle.prev).toBeUndefined();
    expect(middle.next).toBeUndefined();
    expect(entries[0]!.next).toBe(entries[2]);
    expect(entries[2]!.prev).toBe(entries[0]);
    list.clear();
    for (const entry of entries) {
      expect([entry.prev, entry.next, entry.listed]).toEqual([undefined, undefined, false]);
    }
  });
});
