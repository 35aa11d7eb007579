import { createHash, timingSafeEqual } from 'node:crypto';
import { readClientKeyRecords, type ClientKeyRecord } from './client-key-file.js';
import type { ClientLimits } from './client-limits.js';

/** Who presented a valid key, and what it may use (no `models` = every model). */
export interface ClientIdentity {
  name: string;
  models?: string[];
  /** What the key may use (client-limits.ts); absent = no limits. */
  limits?: ClientLimits;
}

interface Entry {
  hash: Buffer;
  identity: ClientIdentity;
}

/**
 * Checks presented client keys against the stored hashes. Every stored hash is compared
 * with crypto.timingSafeEqual, all of them on every call, so the time taken tells nothing
 * about which key (if any) matched or how much of it was right.
 */
export class ClientKeyVerifier {
  readonly #entries: Entry[];

  constructor(records: readonly ClientKeyRecord[]) {
    this.#entries = records.map((record) => {
      const identity: ClientIdentity = { name: record.name };
      if (record.models !== undefined) identity.models = [...record.models];
      if (record.limits !== undefined) identity.limits = record.limits;
      return { hash: Buffer.from(record.hash, 'hex'), identity };
    });
  }

  /** A verifier over `<home>/clients.json` as it is now (none when the file is absent). */
  static async load(home: string): Promise<ClientKeyVerifier> {
    return new ClientKeyVerifier(await readClientKeyRecords(home));
  }

  /** Number of keys known. */
  get size(): number {
    return this.#entries.length;
  }

  /** Every key's name, models and limits, in file order (copies; never a hash). */
  identities(): ClientIdentity[] {
    return this.#entries.map(({ identity }) => copyIdentity(identity));
  }

  verify(presented: string): ClientIdentity | undefined {
    if (typeof presented !== 'string' || presented.length === 0) return undefined;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let match: ClientIdentity | undefined;
    for (const entry of this.#entries) {
      const equal = entry.hash.length === digest.length && timingSafeEqual(entry.hash, digest);
      if (equal && match === undefined) match = entry.identity;
    }
    return match === undefined ? undefined : copyIdentity(match);
  }
}

function copyIdentity(from: ClientIdentity): ClientIdentity {
  const identity: ClientIdentity = { name: from.name };
  if (from.models !== undefined) identity.models = [...from.models];
  if (from.limits !== undefined) identity.limits = from.limits;
  return identity;
}
