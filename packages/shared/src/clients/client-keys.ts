import { createHash, randomBytes } from 'node:crypto';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';
import { serializeFileUpdate } from '../security/private-file.js';
import { registerSecret } from '../security/redact.js';
import {
  clientsFilePath,
  readClientKeyRecords,
  writeClientKeyRecords,
  type ClientKeyRecord,
} from './client-key-file.js';
import { compactLimits, type ClientLimits } from './client-limits.js';

export const CLIENT_KEY_PREFIX = 'mgw-';
const CLIENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** A client key as listed: everything but the hash. */
export type ClientKeyInfo = Omit<ClientKeyRecord, 'hash'>;

export function hashClientKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function assertClientName(name: string): void {
  if (!CLIENT_NAME_PATTERN.test(name)) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      'a client name uses letters, digits and _ . @ - (at most 64 characters)',
    );
  }
}

/**
 * Creates a gateway client API key: `mgw-` + 32 random bytes in base64url. Only its
 * SHA-256 and first 5 characters are stored (in `<home>/clients.json`, mode 0600); the
 * returned key is shown once and cannot be recovered.
 */
export async function createClientKey(
  home: string,
  name: string,
  options: { models?: string[]; limits?: ClientLimits } = {},
): Promise<{ name: string; key: string }> {
  assertClientName(name);
  const { models } = options;
  const limits = options.limits === undefined ? undefined : compactLimits(options.limits);
  if (models !== undefined && (models.length === 0 || models.some((m) => m.length === 0))) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      'a client key model list names at least one model; leave it out to allow every model',
    );
  }
  return serializeFileUpdate(clientsFilePath(home), async () => {
    const records = await readClientKeyRecords(home);
    if (records.some((r) => r.name === name)) {
      throw new GatewayError(
        ErrorCodes.INVALID_REQUEST,
        `a client key named "${name}" already exists; remove it first to issue a new one`,
      );
    }
    const key = CLIENT_KEY_PREFIX + randomBytes(32).toString('base64url');
    registerSecret(key);
    const record: ClientKeyRecord = {
      name,
      hash: hashClientKey(key),
      // Five characters only: six or more of a key's first characters count as a part of it
      // (docs/security.md), and `mgw-` is the same for every key.
      prefix: key.slice(0, CLIENT_KEY_PREFIX.length + 1),
      createdAt: new Date().toISOString(),
    };
    if (models !== undefined) record.models = [...new Set(models)];
    if (limits !== undefined) record.limits = limits;
    await writeClientKeyRecords(home, [...records, record]);
    return { name, key };
  });
}

export async function listClientKeys(home: string): Promise<ClientKeyInfo[]> {
  const records = await readClientKeyRecords(home);
  return records.map(({ hash: _hash, ...info }) => info);
}

/** True if a key of that name existed. */
export async function removeClientKey(home: string, name: string): Promise<boolean> {
  return serializeFileUpdate(clientsFilePath(home), async () => {
    const records = await readClientKeyRecords(home);
    const kept = records.filter((r) => r.name !== name);
    if (kept.length === records.length) return false;
    await writeClientKeyRecords(home, kept);
    return true;
  });
}

/**
 * Replaces the limits of an existing client key (none: the key has no limits). True if a key
 * of that name existed. A running proxy notices the file change.
 */
export async function setClientLimits(
  home: string,
  name: string,
  limits: ClientLimits,
): Promise<boolean> {
  const compact = compactLimits(limits);
  return serializeFileUpdate(clientsFilePath(home), async () => {
    const records = await readClientKeyRecords(home);
    const record = records.find((r) => r.name === name);
    if (record === undefined) return false;
    if (compact === undefined) delete record.limits;
    else record.limits = compact;
    await writeClientKeyRecords(home, records);
    return true;
  });
}
