import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { z } from 'zod';
import { GatewayError } from '../errors/index.js';
import {
  createPrivateFileExclusive,
  PRIVATE_FILE_MODE,
  readFileIfExists,
  serializeFileUpdate,
  writePrivateFileAtomic,
} from '../security/private-file.js';
import { assertSecretName, assertSecretValue, type SecretStore } from './secret-store.js';

export const SECRETS_FILE = 'secrets.enc';
export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_ENV = 'MLX_GATEWAY_SECRET_KEY';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

const entrySchema = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
const fileSchema = z.record(z.string(), entrySchema);
type SecretsFile = z.infer<typeof fileSchema>;

export interface EncryptedFileStoreOptions {
  /** Base64 of a 32-byte key (the value of MLX_GATEWAY_SECRET_KEY); used instead of secret.key. */
  keyFromEnv?: string;
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new GatewayError(
      ErrorCodes.CONFIG_INVALID,
      `${source} must hold 32 bytes encoded in base64 (create one with \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/**
 * Secrets encrypted at rest in `<home>/secrets.enc`: `{ name: { iv, tag, data } }`, each
 * value sealed with AES-256-GCM under a fresh 12-byte IV and its name as additional data
 * (so a value moved under another name fails to open). The key is 32 random bytes in
 * `<home>/secret.key` (created 0600 on first write), or MLX_GATEWAY_SECRET_KEY when given.
 * Files are written 0600 by temp file + rename in a 0700 directory.
 */
export class EncryptedFileStore implements SecretStore {
  readonly kind = 'encrypted-file' as const;
  readonly file: string;
  readonly keyFile: string;
  readonly #keyFromEnv: string | undefined;
  #key: Promise<Buffer> | undefined;

  constructor(home: string, options: EncryptedFileStoreOptions = {}) {
    this.file = join(home, SECRETS_FILE);
    this.keyFile = join(home, SECRET_KEY_FILE);
    this.#keyFromEnv =
      options.keyFromEnv !== undefined && options.keyFromEnv.length > 0
        ? options.keyFromEnv
        : undefined;
  }

  /** True when the file holds at least one secret. */
  async hasSecrets(): Promise<boolean> {
    return Object.keys(await this.#read()).length > 0;
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    const entry = (await this.#read())[name];
    if (entry === undefined) return undefined;
    return this.#open(name, entry, await this.#loadKey(false));
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    assertSecretValue(value);
    await serializeFileUpdate(this.file, async () => {
      const key = await this.#loadKey(true);
      const secrets = await this.#read();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      secrets[name] = {
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
      await this.#write(secrets);
    });
  }

  async delete(name: string): Promise<boolean> {
    assertSecretName(name);
    return serializeFileUpdate(this.file, async () => {
      const secrets = await this.#read();
      if (!(name in secrets)) return false;
      delete secrets[name];
      await this.#write(secrets);
      return true;
    });
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.#read()).sort();
  }

  async #read(): Promise<SecretsFile> {
    const text = await readFileIfExists(this.file);
    if (text === undefined) return {};
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message quotes the file's content: never pass it on.
      throw this.#corrupt('it is not valid JSON');
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw this.#corrupt('its entries are not { iv, tag, data }');
    return { ...parsed.data };
  }

  async #write(secrets: SecretsFile): Promise<void> {
    await writePrivateFileAtomic(this.file, `${JSON.stringify(secrets, null, 2)}\n`);
  }

  #corrupt(why: string): GatewayError {
    return new GatewayError(
      ErrorCodes.CONFIG_INVALID,
      `the secrets file ${this.file} cannot be read: ${why}; restore it from a backup or delete it and set the keys again`,
    );
  }

  #keySource(): string {
    return this.#keyFromEnv !== undefined ? SECRET_KEY_ENV : this.keyFile;
  }

  #open(name: string, entry: SecretsFile[string], key: Buffer): string {
    const iv = Buffer.from(entry.iv, 'base64');
    const tag = Buffer.from(entry.tag, 'base64');
    const data = Buffer.from(entry.data, 'base64');
    try {
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('bad lengths');
      const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new GatewayError(
        ErrorCodes.CONFIG_INVALID,
        `secret "${name}" in ${this.file} cannot be decrypted: the file was altered or the key (${this.#keySource()}) is not the one it was written with`,
      );
    }
  }

  #loadKey(create: boolean): Promise<Buffer> {
    if (this.#key) return this.#key;
    const loading = this.#readKey(create);
    // Cache a key once there is one; a missing key may be created by a later write.
    this.#key = loading;
    loading.catch(() => {
      if (this.#key === loading) this.#key = undefined;
    });
    return loading;
  }

  async #readKey(create: boolean): Promise<Buffer> {
    if (this.#keyFromEnv !== undefined) return decodeKey(this.#keyFromEnv, SECRET_KEY_ENV);
    let text = await readFileIfExists(this.keyFile);
    if (text === undefined) {
      if (!create) {
        throw new GatewayError(
          ErrorCodes.CONFIG_INVALID,
          `the key file ${this.keyFile} is missing, so ${this.file} cannot be decrypted; restore it or set ${SECRET_KEY_ENV}`,
        );
      }
      await createPrivateFileExclusive(
        this.keyFile,
        `${randomBytes(KEY_BYTES).toString('base64')}\n`,
      );
      text = (await readFileIfExists(this.keyFile)) ?? '';
    }
    if (((await stat(this.keyFile)).mode & 0o077) !== 0)
      await chmod(this.keyFile, PRIVATE_FILE_MODE);
    return decodeKey(text, this.keyFile);
  }
}
