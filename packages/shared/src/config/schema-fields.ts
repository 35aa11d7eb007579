import { z } from 'zod';
import { BYTES_HINT, formatBytes, parseBytes } from '../units/bytes.js';
import { DURATION_HINT, formatDuration, parseDuration } from '../units/duration.js';
import { didYouMean } from './did-you-mean.js';
import type { IssueParams } from './problem-list.js';
import type { PortRange } from './types.js';

/** Node.js timers fire at once beyond this (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

type Ctx = z.core.$RefinementCtx;

/** Adds a custom issue at the current value (or at a child key) with the given params. */
export function issue(
  ctx: Ctx,
  message: string,
  input: unknown,
  options: { path?: PropertyKey[]; params?: IssueParams } = {},
): void {
  ctx.addIssue({
    code: 'custom',
    message,
    input,
    ...(options.path ? { path: options.path } : {}),
    ...(options.params ? { params: options.params } : {}),
  });
}

export interface SectionOptions {
  /** Explains a key that belongs elsewhere (another backend, another section). */
  foreignKey?: (key: string) => string | undefined;
}

function unknownKeyMessage(key: string, known: string[], options: SectionOptions): string {
  const foreign = options.foreignKey?.(key);
  if (foreign) return foreign;
  const hint = didYouMean(key, known);
  return hint ? `unknown key; ${hint}` : `unknown key (known keys: ${known.join(', ')})`;
}

/**
 * A mapping with a fixed set of keys where every unknown key is reported (with a suggestion),
 * alongside any other problem in the same mapping.
 */
export function section<Shape extends z.ZodRawShape>(shape: Shape, options: SectionOptions = {}) {
  const known = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape, key)) continue;
        issue(ctx, unknownKeyMessage(key, known, options), undefined, {
          path: [key],
          params: { got: false },
        });
      }
    },
    { when: () => true },
  );
}

/** A duration ("10m", "30s"; a bare number only for 0) compiled to milliseconds. */
export function duration(options: { allowZero?: boolean } = {}) {
  return z.unknown().transform((value, ctx): number => {
    let ms: number;
    try {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new RangeError(DURATION_HINT);
      ms = parseDuration(value);
    } catch (err) {
      issue(ctx, (err as Error).message, value);
      return z.NEVER;
    }
    if (ms === 0 && !options.allowZero) {
      issue(ctx, 'must be longer than 0', value);
      return z.NEVER;
    }
    if (ms > MAX_TIMER_MS) {
      issue(
        ctx,
        `must be at most ${formatDuration(MAX_TIMER_MS)} (the longest timer Node.js runs)`,
        value,
      );
      return z.NEVER;
    }
    return ms;
  });
}

/** A size ("48GB", "512MiB", or a number of bytes) compiled to bytes; more than 0. */
export function bytes() {
  return z.unknown().transform((value, ctx): number => {
    let size: number;
    try {
      if (typeof value !== 'string' && typeof value !== 'number') throw new RangeError(BYTES_HINT);
      size = parseBytes(value);
    } catch (err) {
      issue(ctx, (err as Error).message, value);
      return z.NEVER;
    }
    if (size === 0) {
      issue(ctx, `must be more than 0 (for example ${formatBytes(10e6)})`, value);
      return z.NEVER;
    }
    return size;
  });
}

/** A string, number or boolean taken as text (YAML reads `8192` as a number). */
export function text() {
  return z.unknown().transform((value, ctx): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    issue(ctx, 'expected a string', value);
    return z.NEVER;
  });
}

export function nonEmptyString() {
  return z.string().trim().min(1);
}

const PORT_RANGE = /^\s*(\d+)\s*-\s*(\d+)\s*$/;
export const MIN_CHILD_PORT = 1024;
export const MAX_PORT = 65535;

/** A port range, `"10300-10399"` or `{ from, to }`, within 1024-65535 and from ≤ to. */
export function portRange() {
  return z.unknown().transform((value, ctx): PortRange => {
    let from: unknown;
    let to: unknown;
    const match = typeof value === 'string' ? PORT_RANGE.exec(value) : null;
    if (match) {
      from = Number(match[1]);
      to = Number(match[2]);
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const extra = Object.keys(value).filter((k) => k !== 'from' && k !== 'to');
      if (extra.length > 0) {
        issue(
          ctx,
          `unknown key${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; use { from, to }`,
          value,
          {
            params: { got: false },
          },
        );
        return z.NEVER;
      }
      ({ from, to } = value as { from?: unknown; to?: unknown });
    } else {
      issue(ctx, 'expected a port range like "10300-10399" or { from: 10300, to: 10399 }', value);
      return z.NEVER;
    }
    if (!Number.isInteger(from) || !Number.isInteger(to)) {
      issue(ctx, 'expected whole port numbers like "10300-10399"', value);
      return z.NEVER;
    }
    const range = { from: from as number, to: to as number };
    if (range.from < MIN_CHILD_PORT || range.to > MAX_PORT) {
      issue(ctx, `ports must be within ${MIN_CHILD_PORT}-${MAX_PORT}`, value);
      return z.NEVER;
    }
    if (range.from > range.to) {
      issue(ctx, `the range starts after it ends (${range.from} > ${range.to})`, value);
      return z.NEVER;
    }
    return range;
  });
}

export function formatPortRange(range: PortRange): string {
  return `${range.from}-${range.to}`;
}

export function rangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}
