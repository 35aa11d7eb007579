import { formatSecretRef } from '@mlx-gateway/shared/config';
import { resolveHome } from '@mlx-gateway/shared/paths';
import { readSecretFromStdin } from '@mlx-gateway/shared/secrets';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { table } from '../format.js';
import { findSecretRefs, referenceStatus, storedNames } from '../secret-references.js';
import { describeStore, openGatewayStore } from '../secret-store.js';
import { configFor, type GlobalOptions } from './control.js';

/** Why `keys set` takes no value on the command line. */
export const NO_VALUE_ON_ARGV =
  'keys set takes the key from stdin or a hidden prompt, never from the command line ' +
  '(arguments stay in shell history and are visible to every user in `ps`). ' +
  'Run `mlx-gateway keys set NAME` and type it, or pipe it: `printenv NAME | mlx-gateway keys set NAME`';

/** The config, or undefined with the reason on stderr: listing keys must work even when the config is broken. */
export function configOrWarn(opts: GlobalOptions): GatewayConfig | undefined {
  try {
    return configFor(opts);
  } catch (err) {
    process.stderr.write(
      `mlx-gateway: the config was not read, so its references are not shown: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return undefined;
  }
}

/** `keys set NAME`: stores a secret read from stdin (or typed at a hidden prompt). */
export async function keysSet(name: string, extraArgs: number, opts: GlobalOptions): Promise<void> {
  if (extraArgs > 0) throw new Error(NO_VALUE_ON_ARGV);
  const home = resolveHome();
  const store = await openGatewayStore(home);
  const value = await readSecretFromStdin({ prompt: `Value for ${name} (not shown): ` });
  await store.set(name, value);
  process.stdout.write(`stored ${name} in ${describeStore(store, home)}\n`);
  const config = configOrWarn(opts);
  const used = config
    ? findSecretRefs(config).filter(({ ref }) => ref.kind === 'store' && ref.name === name)
    : [];
  process.stdout.write(
    used.length > 0
      ? `used by ${used.map((u) => u.path).join(', ')}; a running proxy picks the new value up within a minute\n`
      : `refer to it in the config as ${formatSecretRef({ kind: 'store', name })}\n`,
  );
}

/**
 * `keys list`: the stored names with where they are kept, and every reference in the config
 * (`${secret:NAME}` and `${env:NAME}`) with whether it has a value. Never a value.
 */
export async function keysList(opts: GlobalOptions): Promise<void> {
  const home = resolveHome();
  const store = await openGatewayStore(home);
  const stored = await storedNames(store);
  const config = configOrWarn(opts);
  const refs = config ? findSecretRefs(config) : [];

  const rows: string[][] = [];
  for (const name of [...stored.names].sort()) {
    const users = refs.filter(({ ref }) => ref.kind === 'store' && ref.name === name);
    rows.push([
      formatSecretRef({ kind: 'store', name }),
      stored.kind,
      users.map((u) => u.path).join(', ') || '(not used by the config)',
    ]);
  }
  const others = new Map<string, string[]>();
  for (const { ref, path } of refs) {
    if (ref.kind === 'store' && stored.names.has(ref.name)) continue;
    const key = `${formatSecretRef(ref)}\u0000${referenceStatus(ref, stored)}`;
    others.set(key, [...(others.get(key) ?? []), path]);
  }
  for (const [key, paths] of others) {
    const [reference = '', status = ''] = key.split('\u0000');
    rows.push([
      reference,
      status === 'not stored' ? 'MISSING: not stored' : `environment: ${status}`,
      paths.join(', '),
    ]);
  }
  process.stdout.write(`secret store: ${describeStore(store, home)}\n`);
  process.stdout.write(
    rows.length > 0
      ? `${table(['REFERENCE', 'WHERE', 'USED BY'], rows)}\n`
      : 'no secrets stored and none referenced; add one with `mlx-gateway keys set NAME`\n',
  );
}

/** `keys rm NAME`: deletes a stored secret. */
export async function keysRm(name: string, opts: GlobalOptions): Promise<void> {
  const home = resolveHome();
  const store = await openGatewayStore(home);
  if (!(await store.delete(name))) {
    throw new Error(`no secret named ${name} in ${describeStore(store, home)}`);
  }
  process.stdout.write(`removed ${name} from ${describeStore(store, home)}\n`);
  const config = configOrWarn(opts);
  const used = config
    ? findSecretRefs(config).filter(({ ref }) => ref.kind === 'store' && ref.name === name)
    : [];
  if (used.length > 0) {
    process.stderr.write(
      `warning: the config still refers to ${formatSecretRef({ kind: 'store', name })} at ${used.map((u) => u.path).join(', ')}\n`,
    );
  }
}
