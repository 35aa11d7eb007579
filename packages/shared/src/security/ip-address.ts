/**
 * IP address parsing for the SSRF guard. Hosts arrive in many spellings that all reach the
 * same machine (`2130706433`, `0x7f.1`, `0177.0.0.1`, `[::ffff:7f00:1]`), so every check
 * runs on one canonical form produced here.
 */

/** A parsed address: IPv4 as 4 bytes, IPv6 as 16 bytes. */
export type ParsedAddress =
  { family: 4; bytes: Uint8Array; text: string } | { family: 6; bytes: Uint8Array; text: string };

const HEX_PART = /^0x[0-9a-f]*$/i;
const OCTAL_PART = /^0[0-7]+$/;
const DECIMAL_PART = /^(?:0|[1-9][0-9]*)$/;

function parseIPv4Part(part: string): number | undefined {
  if (HEX_PART.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (OCTAL_PART.test(part)) return Number.parseInt(part.slice(1), 8);
  if (DECIMAL_PART.test(part)) return Number.parseInt(part, 10);
  return undefined;
}

/**
 * Parses IPv4 in every form `inet_aton` and the WHATWG URL parser accept: one to four
 * parts, each decimal, octal (leading 0) or hex (0x), the last part filling the
 * remaining bytes (`127.1`, `10.1`, `2130706433`, `0x7f.1`), and one trailing dot.
 */
export function parseIPv4(input: string): Uint8Array | undefined {
  let text = input;
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text.length === 0) return undefined;
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIPv4Part(part);
    if (value === undefined || !Number.isSafeInteger(value)) return undefined;
    numbers.push(value);
  }
  const last = numbers.pop() as number;
  if (numbers.some((n) => n > 255)) return undefined;
  const lastBytes = 4 - numbers.length;
  if (last >= 2 ** (8 * lastBytes)) return undefined;
  const bytes = new Uint8Array(4);
  numbers.forEach((n, i) => {
    bytes[i] = n;
  });
  for (let i = 0; i < lastBytes; i += 1) {
    bytes[3 - i] = Math.floor(last / 2 ** (8 * i)) % 256;
  }
  return bytes;
}

export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

const HEXTET = /^[0-9a-f]{1,4}$/i;

function parseHextets(groups: string[], out: number[]): boolean {
  for (const group of groups) {
    if (!HEXTET.test(group)) return false;
    out.push(Number.parseInt(group, 16));
  }
  return true;
}

/** Parses an IPv6 address (brackets and a `%zone` suffix are ignored) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | undefined {
  let text = input;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!text.includes(':')) return undefined;

  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const lastGroup = text.slice(lastColon + 1);
  if (lastGroup.includes('.')) {
    const v4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(lastGroup) ? parseIPv4(lastGroup) : undefined;
    if (v4 === undefined) return undefined;
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }

  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head: number[] = [];
  const rest: number[] = [];
  const [first = '', second] = halves;
  if (first.length > 0 && !parseHextets(first.split(':'), head)) return undefined;
  if (second !== undefined && second.length > 0 && !parseHextets(second.split(':'), rest)) {
    return undefined;
  }
  const explicit = head.length + rest.length + tail.length;
  let words: number[];
  if (second === undefined) {
    if (explicit !== 8) return undefined;
    words = [...head, ...rest, ...tail];
  } else {
    if (explicit > 7) return undefined;
    words = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** RFC 5952 text form: lowercase, longest run of zero groups compressed. */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j += 1;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Parses an IP literal in any supported spelling; undefined for a host name. */
export function parseAddress(host: string): ParsedAddress | undefined {
  const v6 = parseIPv6(host);
  if (v6) return { family: 6, bytes: v6, text: formatIPv6(v6) };
  const v4 = parseIPv4(host);
  if (v4) return { family: 4, bytes: v4, text: formatIPv4(v4) };
  return undefined;
}

/**
 * Canonical host for policy checks: lowercase, without brackets or trailing dots, IP
 * literals in their standard text form (`0x7f.1` → `127.0.0.1`, `[::FFFF:7F00:1]` →
 * `::ffff:7f00:1`).
 */
export function normalizeHost(host: string): string {
  let text = host.trim().toLowerCase();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const address = parseAddress(text);
  if (address) return address.text;
  while (text.endsWith('.')) text = text.slice(0, -1);
  return text;
}
