import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost } from '@mlx-gateway/proxy';
import { listClientKeys } from '@mlx-gateway/shared/clients';
import { formatSecretRef, type GatewayConfig } from '@mlx-gateway/shared/config';
import { findOnPath } from './command-on-path.js';
import { findSecretRefs, type StoredNames } from './secret-references.js';

/**
 * What a valid config will still trip over, at start or at the first request: a non-loopback
 * listen without client keys (the proxy refuses to start), a launch command that is not on
 * PATH (the model fails to start), a referenced environment variable that is not set or a
 * secret that is not stored (requests to that model fail).
 */
export async function configWarnings(
  config: GatewayConfig,
  stored: StoredNames | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const warnings: string[] = [];
  const { host, port } = config.proxy;
  if (!isLoopbackHost(host) && (await listClientKeys(config.home)).length === 0) {
    // An existing clients.json with no key left keeps keys required (the proxy's rule).
    warnings.push(
      existsSync(join(config.home, 'clients.json'))
        ? `listen: ${host}:${port}: no client key is left in clients.json, so the gateway will answer 401 to every request; create one with \`mlx-gateway keys create-client NAME\``
        : `listen: ${host}:${port} is not loopback and there are no client keys: \`mlx-gateway up\` will refuse to start; create one with \`mlx-gateway keys create-client NAME\` or listen on 127.0.0.1`,
    );
  }
  for (const model of config.models) {
    if (model.kind !== 'local') continue;
    const command = model.argv[0];
    if (command === undefined || command.includes('${')) continue;
    const path = model.env['PATH'] ?? env['PATH'];
    if (findOnPath(command, path) === undefined) {
      warnings.push(
        `models.${model.name}.command: "${command}" is ${command.includes('/') ? 'not an executable file' : 'not on PATH'}: the model will fail to start; install it, or set \`command:\` to its full path`,
      );
    }
  }
  for (const { path, ref } of findSecretRefs(config)) {
    if (ref.kind === 'env' && (env[ref.name] === undefined || env[ref.name] === '')) {
      warnings.push(
        `${path}: environment variable ${ref.name} is not set here: requests that need it will fail; export it before \`mlx-gateway up\`, or store the key with \`mlx-gateway keys set ${ref.name}\` and write ${formatSecretRef({ kind: 'store', name: ref.name })}`,
      );
    } else if (ref.kind === 'store' && stored && !stored.names.has(ref.name)) {
      warnings.push(
        `${path}: ${formatSecretRef(ref)} is not stored: requests that need it will fail; store it with \`mlx-gateway keys set ${ref.name}\``,
      );
    }
  }
  return warnings;
}
