import { maskSecret, redactApiKeys } from './secret-refs.js';

const MAX_SHOWN = 60;

/**
 * A bad config value as shown in an error message. Sensitive values (API keys, headers, child
 * environment) are never shown; key-shaped text anywhere else is masked.
 */
export function describeValue(value: unknown, sensitive: boolean): string {
  if (sensitive)
    return typeof value === 'string' ? JSON.stringify(maskSecret(value)) : '(redacted)';
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const shown = redactApiKeys(value);
    return JSON.stringify(shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 1)}…` : shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
