import type * as NapiKeyring from '@napi-rs/keyring';

/**
 * The OS credential store as the keychain store needs it. The default implementation uses
 * @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Secret Service on Linux);
 * tests inject their own.
 */
export interface KeyringBackend {
  get(service: string, account: string): Promise<string | undefined>;
  set(service: string, account: string, value: string): Promise<void>;
  /** True if an entry was deleted. */
  delete(service: string, account: string): Promise<boolean>;
}

type KeyringModule = typeof NapiKeyring;

let loaded: Promise<KeyringModule> | undefined;

/** Loaded on first use, so a platform without a prebuilt binary fails a probe, not the import. */
function keyringModule(): Promise<KeyringModule> {
  loaded ??= import('@napi-rs/keyring');
  return loaded;
}

export function systemKeyring(): KeyringBackend {
  return {
    async get(service, account) {
      const { AsyncEntry } = await keyringModule();
      const value = await new AsyncEntry(service, account).getPassword();
      return value ?? undefined;
    },
    async set(service, account, value) {
      const { AsyncEntry } = await keyringModule();
      await new AsyncEntry(service, account).setPassword(value);
    },
    async delete(service, account) {
      const { AsyncEntry } = await keyringModule();
      return new AsyncEntry(service, account).deleteCredential();
    },
  };
}
