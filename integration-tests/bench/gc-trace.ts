// What a process's `--trace-gc-nvp` lines say about its young generation before and after a
// given time: how much each scavenge promoted to the old generation and kept in the young one,
// and how many full collections ran.

/** Averages over the scavenges of a window, and its full collections. */
export interface GcWindow {
  scavenges: number;
  /** Bytes promoted per scavenge. */
  promoted: number;
  /** Bytes kept in the young generation per scavenge. */
  survived: number;
  fullCollections: number;
}

// `[pid:0x…]    12084 ms: pause=1.8 … gc=s … promoted=984 new_space_survived=158200 …`
const LINE = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: pause=.* gc=(\w+) /;
const FIELD = /\b(promoted|new_space_survived)=(\d+)/g;

/**
 * The scavenges and full collections logged in `text`, in two windows: from `fromMs` (after
 * start-up) to `atMs`, and from `atMs + settleMs` on (the collection at `atMs` itself, and the
 * scavenges right after it, are left out).
 */
export function gcWindows(
  text: string,
  fromMs: number,
  atMs: number,
  settleMs = 1_000,
): { before: GcWindow; after: GcWindow } {
  const before = emptyWindow();
  const after = emptyWindow();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const t = Number(m[1]);
    const w = t >= fromMs && t < atMs ? before : t >= atMs + settleMs ? after : undefined;
    if (w === undefined) continue;
    if (m[2] !== 's') {
      w.fullCollections++;
      continue;
    }
    w.scavenges++;
    for (const [, name, value] of line.matchAll(FIELD)) {
      if (name === 'promoted') w.promoted += Number(value);
      else w.survived += Number(value);
    }
  }
  for (const w of [before, after]) {
    if (w.scavenges === 0) continue;
    w.promoted /= w.scavenges;
    w.survived /= w.scavenges;
  }
  return { before, after };
}

function emptyWindow(): GcWindow {
  return { scavenges: 0, promoted: 0, survived: 0, fullCollections: 0 };
}

/** `promoted 2 KB, survived 98 KB per scavenge (410 scavenges, 0 full collections)`. */
export function gcWindowLine(w: GcWindow): string {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
  return (
    `promoted ${kb(w.promoted)}, survived ${kb(w.survived)} per scavenge ` +
    `(${w.scavenges} scavenges, ${w.fullCollections} full collections)`
  );
}
