import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';

/** Where upstream API keys are kept: the OS keychain, or an AES-256-GCM encrypted file. */
export interface SecretStore {
  readonly kind: 'keychain' | 'encrypted-file';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** True if the secret existed. */
  delete(name: string): Promise<boolean>;
  /** Names only, sorted. */
  list(): Promise<string[]>;
}

/** Letters, digits and `_ . -`, starting with a letter or digit, at most 128 characters. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function assertSecretName(name: string): void {
  if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name)) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      'a secret name uses letters, digits and _ . - (at most 128 characters), e.g. OPENAI_API_KEY',
    );
  }
}

export function assertSecretValue(value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, 'a secret value cannot be empty');
  }
}
