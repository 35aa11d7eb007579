import { ErrorCodes } from '@mlx-gateway/protocol';
import { isZ85Key } from '../config/curve-fields.js';
import { formatSecretRef } from '../config/secret-refs.js';
import type { CurveConfig, SecretRef } from '../config/types.js';
import { GatewayError } from '../errors/index.js';
import { openSecretStore } from './open-secret-store.js';
import { resolveSecret } from './resolve-secret.js';
import type { SecretStore } from './secret-store.js';

/** What the supervisor's sockets need: its own pair, and the client keys it lets in. */
export interface CurveServerKeys {
  publicKey: string;
  secretKey: string;
  clientPublicKeys: string[];
}

/** What a client (proxy, CLI) needs: the server's public key and its own pair. */
export interface CurveClientKeys {
  serverPublicKey: string;
  publicKey: string;
  secretKey: string;
}

export interface ResolveCurveOptions {
  /** The gateway home, whose secret store holds `${secret:NAME}` keys. */
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Default: openSecretStore(home), opened only for a `${secret:NAME}` reference. */
  openStore?: () => Promise<SecretStore>;
}

async function resolveKey(ref: SecretRef, options: ResolveCurveOptions): Promise<string> {
  const env = options.env ?? process.env;
  const store =
    ref.kind === 'store'
      ? await (options.openStore ?? (() => openSecretStore(options.home, { env })))()
      : undefined;
  const value = (await resolveSecret(ref, { env, ...(store ? { store } : {}) })).trim();
  if (!isZ85Key(value)) {
    throw new GatewayError(
      ErrorCodes.CONFIG_INVALID,
      `${formatSecretRef(ref)} (supervisor.curve) is not a CURVE secret key: expected 40 Z85 characters; generate keys with \`mlx-gateway keys curve\``,
    );
  }
  return value;
}

/** Resolves the supervisor's secret key (registered for scrubbing like every secret). */
export async function resolveCurveServerKeys(
  curve: CurveConfig,
  options: ResolveCurveOptions,
): Promise<CurveServerKeys> {
  return {
    publicKey: curve.serverPublicKey,
    secretKey: await resolveKey(curve.serverSecretKey, options),
    clientPublicKeys: [curve.clientPublicKey],
  };
}

/** Resolves the client's secret key (registered for scrubbing like every secret). */
export async function resolveCurveClientKeys(
  curve: CurveConfig,
  options: ResolveCurveOptions,
): Promise<CurveClientKeys> {
  return {
    serverPublicKey: curve.serverPublicKey,
    publicKey: curve.clientPublicKey,
    secretKey: await resolveKey(curve.clientSecretKey, options),
  };
}
