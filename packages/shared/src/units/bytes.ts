/**
 * Sizes as people write them ("48GB", "512MiB", "10 MB") and as the code uses them (bytes).
 * KB/MB/GB/TB are powers of 1000; KiB/MiB/GiB/TiB are powers of 1024. A bare number is bytes.
 */

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i;

export const BYTES_HINT = 'expected a size like "512MiB" or "48GB"';

/** Parses a size into whole bytes; throws a RangeError with a readable message otherwise. */
export function parseBytes(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new RangeError(`${BYTES_HINT}; a number is bytes and must be 0 or more`);
    }
    return Math.round(input);
  }
  if (typeof input !== 'string') throw new RangeError(BYTES_HINT);
  const match = SIZE.exec(input.trim());
  if (!match) throw new RangeError(BYTES_HINT);
  const unitText = match[2];
  if (unitText === undefined) {
    throw new RangeError(`${BYTES_HINT}; add a unit (B, KB, MB, GB, KiB, MiB, GiB, ...)`);
  }
  const unit = UNIT_BYTES[unitText.toLowerCase()];
  if (unit === undefined) {
    throw new RangeError(
      `${BYTES_HINT}; "${unitText}" is not a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`,
    );
  }
  return Math.round(Number(match[1]) * unit);
}

const DISPLAY: ReadonlyArray<readonly [string, number]> = [
  ['TiB', 2 ** 40],
  ['TB', 1e12],
  ['GiB', 2 ** 30],
  ['GB', 1e9],
  ['MiB', 2 ** 20],
  ['MB', 1e6],
  ['KiB', 2 ** 10],
  ['KB', 1e3],
];

/**
 * Formats bytes for people. A value that is a whole number of some unit is shown in it exactly
 * ("48GB", "512MiB"); anything else is shown in binary units with one decimal ("1.5GiB").
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  const value = Math.round(bytes);
  for (const [name, size] of DISPLAY) {
    if (value >= size && value % size === 0) return `${value / size}${name}`;
  }
  for (const [name, size] of DISPLAY) {
    if (name.endsWith('iB') && value >= size) {
      return `${Number((value / size).toFixed(1))}${name}`;
    }
  }
  return `${value}B`;
}

/**
 * Memory as people read it in a table: binary units, a space, one decimal below 100
 * ("812 MiB", "4.3 GiB", "512 B"). formatBytes is for config values (exact units, no space).
 */
export function formatMemory(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
