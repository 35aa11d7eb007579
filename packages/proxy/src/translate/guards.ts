/** Narrow runtime checks for JSON that came from a client or an upstream. */

import type { JsonObject } from './types.js';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value when it is a finite number, else undefined. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** True for null and undefined: JSON's two ways of saying "not set". */
export function isUnset(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}
