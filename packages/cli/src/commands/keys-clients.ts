import {
  createClientKey,
  describeLimits,
  listClientKeys,
  removeClientKey,
  setClientLimits,
} from '@mlx-gateway/shared/clients';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '@mlx-gateway/shared/paths';
import { table } from '../format.js';
import type { GlobalOptions } from './control.js';
import { configOrWarn } from './keys-secrets.js';
import { limitsFromOptions, usageColumn } from './keys-client-limits.js';
import type { LimitOptions } from './keys-client-limits.js';

function parseModels(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  return list
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/**
 * `keys create-client NAME [--models a,b] [--rpm N] [--tpm N] [--concurrency N] [--budget N/day]`: issues a gateway client key. The key alone goes to
 * stdout (so `KEY=$(mlx-gateway keys create-client ci)` works) and is shown this once only;
 * everything else goes to stderr.
 */
export async function keysCreateClient(
  name: string,
  opts: GlobalOptions & LimitOptions & { models?: string },
): Promise<void> {
  const models = parseModels(opts.models);
  const limits = limitsFromOptions(opts);
  const config = configOrWarn(opts);
  if (config && models) {
    const known = new Set(config.models.flatMap((m) => [m.name, ...m.aliases]));
    const unknown = models.filter((m) => !known.has(m));
    if (unknown.length > 0) {
      process.stderr.write(`warning: not configured models: ${unknown.join(', ')}\n`);
    }
  }
  const created = await createClientKey(resolveHome(), name, {
    ...(models ? { models } : {}),
    ...(limits ? { limits } : {}),
  });
  process.stderr.write(
    `created client key "${name}" for ${models ? `models ${models.join(', ')}` : 'every model'}` +
      `${limits ? ` with limits ${describeLimits(limits)}` : ''}; ` +
      'it is shown once, store it now. Clients send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.\n',
  );
  process.stdout.write(`${created.key}\n`);
}

/**
 * `keys list-clients`: names, key prefixes, models, limits, usage against them (from Redis)
 * and creation times (never keys or hashes).
 */
export async function keysListClients(opts: GlobalOptions): Promise<void> {
  const home = resolveHome();
  const clients = await listClientKeys(home);
  if (clients.length === 0) {
    process.stdout.write(`${noClientKeys(home)}\n`);
    return;
  }
  const limited = clients.some((c) => c.limits !== undefined);
  const usage = limited ? await usageColumn(configOrWarn(opts), clients) : undefined;
  const rows = clients.map((c, i) => [
    c.name,
    `${c.prefix}…`,
    c.models?.join(', ') ?? '(all)',
    ...(limited ? [describeLimits(c.limits), usage?.values[i] ?? ''] : []),
    c.createdAt,
  ]);
  const head = ['NAME', 'PREFIX', 'MODELS', ...(limited ? ['LIMITS', 'USAGE'] : []), 'CREATED'];
  process.stdout.write(`${table(head, rows)}\n`);
  if (usage?.note !== undefined) process.stderr.write(`${usage.note}\n`);
}

/** `keys set-limits NAME [--rpm N] ...`: replaces a key's limits (none given: removes them). */
export async function keysSetLimits(name: string, opts: LimitOptions): Promise<void> {
  const limits = limitsFromOptions(opts);
  if (!(await setClientLimits(resolveHome(), name, limits ?? {}))) {
    throw new Error(`no client key named "${name}" (see \`mlx-gateway keys list-clients\`)`);
  }
  process.stdout.write(
    `client key "${name}": ${limits ? `limits ${describeLimits(limits)}` : 'no limits'}\n`,
  );
}

/** `keys rm-client NAME`: revokes a client key (a running proxy notices the file change). */
export async function keysRmClient(name: string): Promise<void> {
  if (!(await removeClientKey(resolveHome(), name))) {
    throw new Error(`no client key named "${name}" (see \`mlx-gateway keys list-clients\`)`);
  }
  const left = await listClientKeys(resolveHome());
  process.stdout.write(
    left.length === 0
      ? `revoked client key "${name}", the last one: ${noClientKeys(resolveHome())}\n`
      : `revoked client key "${name}"\n`,
  );
}

/**
 * What the gateway does without a client key, by the proxy's rule (auth/client-keys.ts): once
 * clients.json exists, keys stay required even with none left; only without the file does
 * the gateway answer anyone, and then only on loopback.
 */
function noClientKeys(home: string): string {
  const file = join(home, 'clients.json');
  if (existsSync(file)) {
    return (
      `no client keys left: the gateway refuses every request (401) until one is created with ` +
      `\`mlx-gateway keys create-client NAME\`; to answer anyone on loopback instead, delete ` +
      `${file} and restart the gateway`
    );
  }
  return 'no client keys: the gateway answers anyone on loopback, and refuses other listen addresses; create one with `mlx-gateway keys create-client NAME`';
}
