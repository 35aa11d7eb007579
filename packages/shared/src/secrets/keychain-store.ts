import {
  assertSecretName,
  assertSecretValue,
  SECRET_NAME_PATTERN,
  type SecretStore,
} from './secret-store.js';
import { systemKeyring, type KeyringBackend } from './keyring-backend.js';

export const KEYCHAIN_SERVICE = 'mlx-gateway';

/** Keyrings cannot enumerate; the names (never values) are kept in this entry. */
const INDEX_ACCOUNT = '__index__';

export interface KeychainStoreOptions {
  keyring?: KeyringBackend;
  service?: string;
}

/** Secrets in the OS keychain, one entry per name under the service "mlx-gateway". */
export class KeychainStore implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly #keyring: KeyringBackend;
  readonly #service: string;
  #indexUpdates: Promise<unknown> = Promise.resolve();

  constructor(options: KeychainStoreOptions = {}) {
    this.#keyring = options.keyring ?? systemKeyring();
    this.#service = options.service ?? KEYCHAIN_SERVICE;
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    return this.#keyring.get(this.#service, name);
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    assertSecretValue(value);
    await this.#keyring.set(this.#service, name, value);
    await this.#updateIndex((names) => names.add(name));
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    const deleted = await this.#keyring.delete(this.#service, name);
    await this.#updateIndex((names) => names.delete(name));
    return deleted;
  }

  async list(): Promise<string[]> {
    return [...(await this.#readIndex())].sort();
  }

  async #readIndex(): Promise<Set<string>> {
    const raw = await this.#keyring.get(this.#service, INDEX_ACCOUNT);
    if (raw === undefined) return new Set();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return new Set();
    }
    if (!Array.isArray(parsed)) return new Set();
    return new Set(
      parsed.filter((n): n is string => typeof n === 'string' && SECRET_NAME_PATTERN.test(n)),
    );
  }

  #updateIndex(change: (names: Set<string>) => void): Promise<void> {
    const step = async (): Promise<void> => {
      const names = await this.#readIndex();
      change(names);
      await this.#keyring.set(this.#service, INDEX_ACCOUNT, JSON.stringify([...names].sort()));
    };
    const run = this.#indexUpdates.then(step, step);
    this.#indexUpdates = run.catch(() => undefined);
    return run;
  }
}
