import { join } from 'node:path';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { z } from 'zod';
import { GatewayError } from '../errors/index.js';
import { clientLimitsSchema, compactLimits, type ClientLimits } from './client-limits.js';
import { readFileIfExists, writePrivateFileAtomic } from '../security/private-file.js';

export const CLIENTS_FILE = 'clients.json';

/** What is kept about a client key: its SHA-256, never the key. */
export interface ClientKeyRecord {
  name: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  /** First 8 characters of the key, to recognise it in listings. */
  prefix: string;
  /** Public model names this key may use; absent = every model. */
  models?: string[];
  /** What the key may use per minute, at once and per day or month; absent = no limits. */
  limits?: ClientLimits;
  /** ISO 8601. */
  createdAt: string;
}

/** Built when the file is read, not kept: a process holds no schema objects while it serves. */
function fileSchema() {
  const record = z.object({
    name: z.string().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    prefix: z.string(),
    models: z.array(z.string().min(1)).optional(),
    limits: clientLimitsSchema().optional(),
    createdAt: z.string(),
  });
  return z.object({ version: z.literal(1), clients: z.array(record) });
}

export function clientsFilePath(home: string): string {
  return join(home, CLIENTS_FILE);
}

/** The records in `<home>/clients.json`; none when the file does not exist. */
export async function readClientKeyRecords(home: string): Promise<ClientKeyRecord[]> {
  const path = clientsFilePath(home);
  const text = await readFileIfExists(path);
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatewayError(ErrorCodes.CONFIG_INVALID, `${path} is not valid JSON`);
  }
  const parsed = fileSchema().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new GatewayError(
      ErrorCodes.CONFIG_INVALID,
      `${path} is not a client key file (at "${where}": ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data.clients.map((record) => {
    const out: ClientKeyRecord = {
      name: record.name,
      hash: record.hash,
      prefix: record.prefix,
      createdAt: record.createdAt,
    };
    if (record.models !== undefined) out.models = record.models;
    const limits = record.limits === undefined ? undefined : compactLimits(record.limits);
    if (limits !== undefined) out.limits = limits;
    return out;
  });
}

export async function writeClientKeyRecords(
  home: string,
  clients: ClientKeyRecord[],
): Promise<void> {
  const body = { version: 1 as const, clients };
  await writePrivateFileAtomic(clientsFilePath(home), `${JSON.stringify(body, null, 2)}\n`);
}
