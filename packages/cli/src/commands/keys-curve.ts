import { generateCurveKeyPair } from '@mlx-gateway/protocol';
import {
  CURVE_CLIENT_SECRET,
  CURVE_SERVER_SECRET,
  formatSecretRef,
} from '@mlx-gateway/shared/config';
import { resolveHome } from '@mlx-gateway/shared/paths';
import { describeStore, openGatewayStore } from '../secret-store.js';

/**
 * `keys curve`: makes the two CURVE key pairs a TCP control endpoint needs, stores both secret
 * keys in the secret store and prints the `supervisor.curve` section (public keys and
 * references only). Existing keys are kept unless `--force`.
 */
export async function keysCurve(opts: { force?: boolean }): Promise<void> {
  const home = resolveHome();
  const store = await openGatewayStore(home);
  const existing = await store.list();
  const taken = [CURVE_SERVER_SECRET, CURVE_CLIENT_SECRET].filter((n) => existing.includes(n));
  if (taken.length > 0 && !opts.force) {
    throw new Error(
      `${taken.join(' and ')} already stored; pass --force to replace them (then restart the supervisor and every client)`,
    );
  }
  const server = generateCurveKeyPair();
  const client = generateCurveKeyPair();
  await store.set(CURVE_SERVER_SECRET, server.secretKey);
  await store.set(CURVE_CLIENT_SECRET, client.secretKey);
  process.stderr.write(
    `stored ${CURVE_SERVER_SECRET} and ${CURVE_CLIENT_SECRET} in ${describeStore(store, home)}; add this to the config:\n`,
  );
  process.stdout.write(
    [
      'supervisor:',
      '  control: tcp://127.0.0.1:5555 # choose the address and ports',
      '  events: tcp://127.0.0.1:5556',
      '  curve:',
      `    serverPublicKey: "${server.publicKey}"`,
      `    serverSecretKey: ${formatSecretRef({ kind: 'store', name: CURVE_SERVER_SECRET })}`,
      `    clientPublicKey: "${client.publicKey}"`,
      `    clientSecretKey: ${formatSecretRef({ kind: 'store', name: CURVE_CLIENT_SECRET })}`,
      '',
    ].join('\n'),
  );
}
