import {
  createClientKey,
  describeLimits,
  listClientKeys,
  removeClientKey,
  setClientLimits,
} from '@mlx-gateway/shared/clients';
import type { LimitedScope } from '@mlx-gateway/shared/clients';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '@mlx-gateway/shared/paths';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { configFor } from './control.js';
import type { GlobalOptions } from './control.js';
import { configOrWarn } from './keys-secrets.js';
import { limitsFromOptions } from './keys-client-limits.js';
import type { LimitOptions } from './keys-client-limits.js';
import { readUsage } from './keys-limit-usage.js';
import { clientsJson, clientsTable, modelsTable, sourceLine } from './keys-usage-view.js';
import type { LimitedModel } from './keys-usage-view.js';

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

/** The options of `keys list-clients`. */
export interface ListClientsOptions extends GlobalOptions {
  json?: boolean;
  /** A proxy to ask for usage instead of Redis or the config's listen address. */
  proxy?: string;
}

/**
 * `keys list-clients [--json] [--proxy URL]`: names, key prefixes, models, limits and usage
 * against them, creation times (never keys or hashes); then the models with limits in the
 * config and their usage. Usage comes from Redis (`state.redis`) or, with the embedded store,
 * from the running proxy (keys-limit-usage.ts); a note on stderr says when it could not be read.
 */
export async function keysListClients(opts: ListClientsOptions): Promise<void> {
  const home = resolveHome();
  const clients = await listClientKeys(home);
  const config = configForUsage(opts);
  const models: LimitedModel[] = (config?.models ?? []).flatMap((m) =>
    m.limits === undefined ? [] : [{ name: m.name, limits: m.limits }],
  );
  const scopes: LimitedScope[] = [
    ...clients.flatMap((c) =>
      c.limits === undefined ? [] : [{ kind: 'client' as const, name: c.name, limits: c.limits }],
    ),
    ...models.map((m) => ({ kind: 'model' as const, ...m })),
  ];
  const reading = await readUsage(config, scopes, {
    ...(opts.proxy === undefined ? {} : { proxyUrl: opts.proxy }),
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(clientsJson(clients, models, reading), null, 2)}\n`);
    return;
  }
  const sections = [clients.length === 0 ? noClientKeys(home) : clientsTable(clients, reading)];
  if (models.length > 0) sections.push(`model limits:\n${modelsTable(models, reading)}`);
  process.stdout.write(`${sections.join('\n\n')}\n`);
  const source = scopes.length > 0 ? sourceLine(reading) : undefined;
  if (source !== undefined) process.stderr.write(`${source}\n`);
  if (reading.note !== undefined) process.stderr.write(`${reading.note}\n`);
}

/** The config, or undefined with a warning (the keys are listed all the same). */
function configForUsage(opts: GlobalOptions): GatewayConfig | undefined {
  try {
    return configFor(opts);
  } catch (err) {
    process.stderr.write(
      `mlx-gateway: the config was not read, so model limits and usage are not shown: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return undefined;
  }
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
