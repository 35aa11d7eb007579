/** An item's place in a LiveList, given by `add` and taken back by `remove`. */
export interface LiveEntry<T> {
  readonly item: T;
  /** The neighbours while the entry is in the list; both cleared when it leaves. */
  prev: LiveEntry<T> | undefined;
  next: LiveEntry<T> | undefined;
  listed: boolean;
}

/**
 * The items alive now, oldest first, for what comes and goes at request rate (the requests in
 * flight, the leases and turns they hold): add and remove in constant time, and an entry that
 * left keeps no reference to any other.
 *
 * Why not a Map or a Set: as entries come and go, V8 rehashes a Map's table into a new one,
 * and the table it replaced keeps a pointer to its successor (for iterators still on it) and
 * its old entries. Once one such table is in the old generation (every full collection under
 * load puts the live one there), each later table, and the requests its entries name, are kept
 * alive by their dead predecessor through every scavenge until promoted, and the chain never
 * ends: the proxy promoted ~140 KB per scavenge instead of ~2 KB and ran a full collection every
 * few seconds, for good (docs/benchmarks.md, "tenth look").
 */
export class LiveList<T> {
  private head: LiveEntry<T> | undefined;
  private tail: LiveEntry<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Puts `item` last; the entry returned takes it out again. */
  add(item: T): LiveEntry<T> {
    const entry: LiveEntry<T> = { item, prev: this.tail, next: undefined, listed: true };
    if (this.tail === undefined) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    this.count++;
    return entry;
  }

  /** Takes an entry out (again: nothing happens). */
  remove(entry: LiveEntry<T>): void {
    if (!entry.listed) return;
    const { prev, next } = entry;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    entry.prev = undefined;
    entry.next = undefined;
    entry.listed = false;
    this.count--;
  }

  /** Takes every entry out. */
  clear(): void {
    while (this.head !== undefined) this.remove(this.head);
  }

  /** The items now, oldest first (a copy: the list may change while it is read). */
  items(): T[] {
    const items: T[] = [];
    for (let entry = this.head; entry !== undefined; entry = entry.next) items.push(entry.item);
    return items;
  }
}
