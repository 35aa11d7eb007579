import { COMMON_TEXT } from './anchor-index.js';

/** Occurrences of a probe byte compared one by one before a native search takes over. */
const MAX_PROBE_HITS = 8;

/** Anchors that share a probe byte, each with the offset of that byte in it. */
interface ProbeGroup {
  byte: number;
  anchors: Array<{ anchor: Buffer; offset: number }>;
}

let byteCounts: Uint16Array | undefined;

/**
 * How often each byte occurs in text shaped like what the gateway relays, plus a floor for
 * the bytes of ids and numbers (digits, letters) that the sample holds only a few of.
 */
function byteCommonness(): Uint16Array {
  if (byteCounts !== undefined) return byteCounts;
  byteCounts = new Uint16Array(256);
  for (let i = 0; i < COMMON_TEXT.length; i++) {
    const code = COMMON_TEXT.charCodeAt(i);
    if (code < 256) byteCounts[code] = (byteCounts[code] as number) + 1;
  }
  return byteCounts;
}

/** Where the byte of `anchor` least common in relayed text is. */
function rarestByteAt(anchor: Buffer): number {
  const counts = byteCommonness();
  let best = 0;
  for (let i = 1; i < anchor.length; i++) {
    if ((counts[anchor[i] as number] as number) < (counts[anchor[best] as number] as number)) {
      best = i;
    }
  }
  return best;
}

/**
 * Finds a few anchors in bytes with the cheapest native call there is: `Buffer#indexOf` of
 * one byte (a fast call of ~20 ns that scans at memory speed), the probe byte of each anchor
 * (its byte least common in JSON and English text); only where the probe occurs are the
 * anchors compared. A probe found too often in one buffer falls back to a native search for
 * each anchor of its group. One call per group for a buffer without any probe byte: the best
 * search for the one or two keys of a typical gateway, and worse than AnchorIndex beyond a
 * handful of groups.
 */
export class ProbeSearch {
  private readonly groups: ProbeGroup[] = [];

  constructor(anchors: Iterable<string>) {
    for (const text of new Set(anchors)) {
      const anchor = Buffer.from(text, 'latin1');
      const offset = rarestByteAt(anchor);
      const byte = anchor[offset] as number;
      let group = this.groups.find((g) => g.byte === byte);
      if (group === undefined) {
        group = { byte, anchors: [] };
        this.groups.push(group);
      }
      group.anchors.push({ anchor, offset });
    }
  }

  /** How many native calls a buffer without any probe byte costs. */
  get size(): number {
    return this.groups.length;
  }

  inBytes(bytes: Buffer): boolean {
    const { groups } = this;
    for (let g = 0; g < groups.length; g++) {
      if (groupOccurs(bytes, groups[g] as ProbeGroup)) return true;
    }
    return false;
  }
}

function groupOccurs(bytes: Buffer, group: ProbeGroup): boolean {
  const n = bytes.length;
  let hits = 0;
  for (let i = bytes.indexOf(group.byte); i !== -1; i = bytes.indexOf(group.byte, i + 1)) {
    if (++hits > MAX_PROBE_HITS) {
      return group.anchors.some(({ anchor }) => bytes.indexOf(anchor) !== -1);
    }
    for (const { anchor, offset } of group.anchors) {
      const start = i - offset;
      if (start >= 0 && start + anchor.length <= n && equalAt(bytes, start, anchor)) return true;
    }
  }
  return false;
}

function equalAt(bytes: Buffer, start: number, anchor: Buffer): boolean {
  for (let j = 0; j < anchor.length; j++) {
    if (bytes[start + j] !== anchor[j]) return false;
  }
  return true;
}
