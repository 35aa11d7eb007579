import type { SecretRef } from './types.js';

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const STORE_REF = /^\$\{secret:([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\}$/;
/** `$NAME` or `${NAME}`: a shell habit that reads nothing here. */
const BARE_VARIABLE = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;
/** Provider API keys: OpenAI `sk-…`/`sk-proj-…`, Anthropic `sk-ant-…`. */
const KEY_SHAPE = /sk-(?:ant-)?[A-Za-z0-9_-]{8,}/g;

/** Reads `${env:NAME}` or `${secret:NAME}`; anything else is not a reference. */
export function parseSecretRef(text: string): SecretRef | undefined {
  const env = ENV_REF.exec(text);
  if (env?.[1]) return { kind: 'env', name: env[1] };
  const store = STORE_REF.exec(text);
  if (store?.[1]) return { kind: 'store', name: store[1] };
  return undefined;
}

/** The reference as written in the config file. */
export function formatSecretRef(ref: SecretRef): string {
  return ref.kind === 'env' ? `\${env:${ref.name}}` : `\${secret:${ref.name}}`;
}

/** The variable name of `$NAME` / `${NAME}`, the usual mistake for `${env:NAME}`. */
export function bareVariableName(text: string): string | undefined {
  return BARE_VARIABLE.exec(text)?.[1];
}

export function containsApiKeyShape(text: string): boolean {
  return text.search(KEY_SHAPE) !== -1;
}

/** A secret shown without its value: `sk-ant-…(redacted)`, `sk-…(redacted)` or `…(redacted)`. */
export function maskSecret(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('sk-ant-')) return 'sk-ant-…(redacted)';
  if (trimmed.startsWith('sk-')) return 'sk-…(redacted)';
  return '…(redacted)';
}

/** Replaces every key-shaped part of a text with its masked form. */
export function redactApiKeys(text: string): string {
  return text.replace(KEY_SHAPE, (key) => maskSecret(key));
}
