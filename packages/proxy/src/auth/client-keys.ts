import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { ClientKeyVerifier, type ClientIdentity } from '@mlx-gateway/shared/clients';
import type { ProxyLogger } from '../logging/logger.js';

/** The file `createClientKey` writes in the gateway home. */
export const CLIENTS_FILE = 'clients.json';

export interface ClientKeysOptions {
  home: string;
  logger: ProxyLogger;
}

/**
 * The gateway's client keys (`<home>/clients.json`), reloaded when the file changes (a watch on
 * the home directory, since the file is replaced by a rename) and whenever `reload()` is called
 * (the proxy process does on SIGHUP).
 *
 * Fails closed: authentication is required once the file exists, even with no key left in it
 * (revoking the last key closes the gateway, it never opens it: `keys list-clients` says the
 * same), and once any key has been seen it stays required even if the file is deleted or
 * becomes unreadable (then nobody gets in until a key is created or the proxy restarts).
 */
export class ClientKeys {
  private verifier: ClientKeyVerifier;
  private everHadKeys: boolean;
  private watcher: FSWatcher | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;

  private constructor(
    private readonly options: ClientKeysOptions,
    verifier: ClientKeyVerifier,
    fileExists: boolean,
  ) {
    this.verifier = verifier;
    this.everHadKeys = verifier.size > 0 || fileExists;
  }

  /** Reads the file once; an invalid file is an error (CONFIG_INVALID) at start-up. */
  static async open(options: ClientKeysOptions): Promise<ClientKeys> {
    const verifier = await ClientKeyVerifier.load(options.home);
    return new ClientKeys(options, verifier, await fileExists(options.home));
  }

  /** True when requests must present a valid key. */
  get required(): boolean {
    return this.everHadKeys;
  }

  /** Number of keys currently accepted. */
  get size(): number {
    return this.verifier.size;
  }

  /** Every key's name, models and limits as loaded now (the operator's usage report). */
  identities(): ClientIdentity[] {
    return this.verifier.identities();
  }

  /** The client a key belongs to (constant-time over every stored key), or undefined. */
  verify(presented: string): ClientIdentity | undefined {
    return this.verifier.verify(presented);
  }

  /** Reads the file again; calls made while a reload runs are folded into one more reload. */
  reload(): Promise<void> {
    if (this.reloading !== undefined) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /** Watches the home directory for changes to the file. A home that does not exist yet is not watched (SIGHUP still reloads). */
  watch(): void {
    if (this.watcher !== undefined) return;
    try {
      this.watcher = watch(this.options.home, { persistent: false }, (_event, filename) => {
        if (filename === null || filename.toString() === CLIENTS_FILE) void this.reload();
      });
      this.watcher.on('error', (err) => {
        this.options.logger.warn(
          { err },
          'stopped watching the client key file; reload it with SIGHUP',
        );
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot watch the client key file; reload it with SIGHUP');
    }
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async readOnce(): Promise<void> {
    const { logger, home } = this.options;
    const before = this.verifier.size;
    try {
      this.verifier = await ClientKeyVerifier.load(home);
    } catch (err) {
      this.verifier = new ClientKeyVerifier([]);
      this.everHadKeys = true;
      logger.error(
        { err },
        'the client key file cannot be read: every request is refused until it is fixed',
      );
      return;
    }
    this.everHadKeys ||= this.verifier.size > 0 || (await fileExists(home));
    if (this.verifier.size !== before || before === 0) {
      logger.info(
        { clients: this.verifier.size, required: this.everHadKeys },
        'client keys loaded',
      );
    }
  }
}

async function fileExists(home: string): Promise<boolean> {
  try {
    await access(join(home, CLIENTS_FILE));
    return true;
  } catch {
    return false;
  }
}
