import { formatSecretRef } from '@mlx-gateway/shared/config';
import { describeEnv } from '@mlx-gateway/shared/security';
import type { SecretRef } from '@mlx-gateway/shared/config';
import type { SecretStore } from '@mlx-gateway/shared/secrets';

/** A `${env:NAME}` / `${secret:NAME}` reference found in the compiled config, with its key path. */
export interface FoundReference {
  path: string;
  ref: SecretRef;
}

function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const { kind, name } = value as Record<string, unknown>;
  return keys.length === 2 && (kind === 'env' || kind === 'store') && typeof name === 'string';
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const plain = /^[A-Za-z0-9_.@/:+-]+$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? plain : `${path}.${plain}`;
}

function nameOf(item: unknown): string | undefined {
  const name =
    typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

/** Every secret reference in a compiled config (or any plain data), in document order. */
export function findSecretRefs(value: unknown, path = ''): FoundReference[] {
  if (isSecretRef(value)) return [{ path, ref: value }];
  if (Array.isArray(value)) {
    // Compiled models (and other named entries) are lists: `models.gpt-4o.apiKey` reads better than `models[0].apiKey`.
    return value.flatMap((item, i) => findSecretRefs(item, join(path, nameOf(item) ?? i)));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => findSecretRefs(item, join(path, key)));
  }
  return [];
}

/** Replaces every secret reference with the text `replace` gives it. */
export function mapSecretRefs(value: unknown, replace: (ref: SecretRef) => string): unknown {
  if (isSecretRef(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapSecretRefs(item, replace));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapSecretRefs(item, replace)]),
    );
  }
  return value;
}

/** The names a secret store holds (never values), and where it keeps them. */
export interface StoredNames {
  kind: SecretStore['kind'];
  names: ReadonlySet<string>;
}

export async function storedNames(store: SecretStore): Promise<StoredNames> {
  return { kind: store.kind, names: new Set(await store.list()) };
}

/**
 * Whether a reference has a value, without reading it: `set`/`unset` for the environment,
 * `stored in <kind>`/`not stored` for the secret store (`unknown` when no store could be opened).
 */
export function referenceStatus(
  ref: SecretRef,
  stored: StoredNames | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (ref.kind === 'env') return describeEnv(ref.name, env);
  if (stored === undefined) return 'unknown';
  return stored.names.has(ref.name) ? `stored in ${stored.kind}` : 'not stored';
}

/** `${env:NAME} (set)`, `${secret:NAME} (stored in encrypted-file)`, ... */
export function describeReference(ref: SecretRef, status: string): string {
  return `${formatSecretRef(ref)} (${status})`;
}
