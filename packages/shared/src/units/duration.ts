/**
 * Durations as people write them ("10m", "30s", "1h30m", "250ms") and as the code uses them
 * (milliseconds). A bare number other than 0 is refused: `idleTimeout: 300` means 300 seconds
 * to some readers (llama-swap's `ttl`, Ollama's `keep_alive`) and milliseconds to others, and
 * guessing wrong stops a model after every request.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type DurationUnit = keyof typeof UNIT_MS;

/** One or more `<number><unit>` parts, largest unit first, optionally separated by spaces. */
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|d|h|m|s)\s*)+$/;
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/g;

export const DURATION_HINT = 'expected a duration like "10m" or "30s"';

/**
 * The message for a number without a unit: the readings it could have, so that the fix is a
 * copy: `300` → `a number needs a unit: "300s" (5m)? "300ms"?`.
 */
export function unitHint(value: number): string {
  const seconds = `"${value}s"`;
  const longer = value >= 60 ? ` (${formatDuration(value * 1000)})` : '';
  return `${DURATION_HINT}; a number needs a unit: ${seconds}${longer}? "${value}ms"?`;
}

/**
 * Parses a duration into whole milliseconds. Accepts `ms`, `s`, `m`, `h` and `d`, combined
 * largest first ("1h30m", "2m 30s"), decimals ("1.5h") and 0 (a number or "0"). A number
 * without a unit is refused with a hint that names its readings. Throws a RangeError with a
 * readable message otherwise.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (input === 0) return 0;
    if (!Number.isFinite(input) || input < 0) throw new RangeError(DURATION_HINT);
    throw new RangeError(unitHint(input));
  }
  if (typeof input !== 'string') throw new RangeError(DURATION_HINT);
  const text = input.trim();
  if (text === '0') return 0;
  if (!WHOLE.test(text)) {
    if (/^\d+(?:\.\d+)?$/.test(text)) throw new RangeError(unitHint(Number(text)));
    throw new RangeError(DURATION_HINT);
  }
  let total = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (const match of text.matchAll(PART)) {
    const unit = match[2] as DurationUnit;
    const size = UNIT_MS[unit];
    if (size >= previous) {
      throw new RangeError(`${DURATION_HINT}; write each unit once, largest first ("1h30m")`);
    }
    previous = size;
    total += Number(match[1]) * size;
  }
  return Math.round(total);
}

/**
 * Formats milliseconds for people: "250ms", "30s", "1h30m", "1d2h". The result parses back to
 * the same value with parseDuration().
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
