/**
 * Runs of an audit line that repeat from one request to the next (the API, target, backend and
 * outcome with the field names around them; the status; the model names), kept as bytes by the
 * few values they are made from, so that a line copies them as one block instead of writing
 * each name and value again. A gateway serves a handful of models and APIs: a few entries hold
 * every combination in use. Values are compared with `===` (strings by content), so a hit is
 * always the bytes `make` would give; a miss makes them (JSON.stringify) and takes the place of
 * the oldest entry. A lookup allocates nothing.
 */

interface Entry {
  a: unknown;
  b: unknown;
  c: unknown;
  d: unknown;
  e: unknown;
  bytes: Buffer;
}

/** Entries per kind of run: combinations beyond this many take turns. */
const SIZE = 16;

export class SegmentMemo<T extends readonly unknown[]> {
  private readonly entries: Entry[] = [];
  /** The entry of the last hit, looked at first. */
  private last = -1;
  /** The entry a miss replaces once all are taken. */
  private next = 0;

  /** `make` answers the run as text (JSON), from up to five values. */
  constructor(private readonly make: (a: T[0], b: T[1], c: T[2], d: T[3], e: T[4]) => string) {}

  /** The run of these values, as UTF-8 bytes. */
  get(a: T[0], b: T[1], c: T[2], d: T[3], e?: T[4]): Buffer {
    const { entries } = this;
    const last = entries[this.last];
    if (last !== undefined && last.a === a && last.b === b && last.c === c && last.d === d) {
      if (last.e === e) return last.bytes;
    }
    for (let i = 0; i < entries.length; i++) {
      const x = entries[i] as Entry;
      if (x.a === a && x.b === b && x.c === c && x.d === d && x.e === e) {
        this.last = i;
        return x.bytes;
      }
    }
    return this.add(a, b, c, d, e);
  }

  private add(a: T[0], b: T[1], c: T[2], d: T[3], e: T[4]): Buffer {
    const bytes = Buffer.from(this.make(a, b, c, d, e));
    const entry: Entry = { a, b, c, d, e, bytes };
    let i = this.entries.length;
    if (i < SIZE) {
      this.entries.push(entry);
    } else {
      i = this.next;
      this.entries[i] = entry;
      this.next = (i + 1) % SIZE;
    }
    this.last = i;
    return bytes;
  }
}
