import type { Command } from 'commander';
import type { GlobalOptions } from './control.js';
import { keysCreateClient, keysListClients, keysRmClient, keysSetLimits } from './keys-clients.js';
import type { LimitOptions } from './keys-client-limits.js';
import { keysCurve } from './keys-curve.js';
import { keysList, keysRm, keysSet } from './keys-secrets.js';

/**
 * `mlx-gateway keys ...`: upstream secrets (set, list, rm), gateway client keys (create-client,
 * list-clients, rm-client) and the CURVE keys of a TCP control endpoint (curve). No command ever
 * prints a stored secret; `create-client` prints the new client key once.
 */
export function registerKeysCommands(program: Command, global: () => GlobalOptions): void {
  const keys = program
    .command('keys')
    .description('upstream API keys, gateway client keys and control-socket keys');
  keys
    .command('set <name>')
    .description('store a secret read from stdin or typed at a hidden prompt (never from argv)')
    .allowExcessArguments()
    .allowUnknownOption()
    .action(function (this: Command, name: string) {
      return keysSet(name, this.args.length - 1, global());
    });
  keys
    .command('list')
    .description('stored secrets and the config references that use them (never values)')
    .action(() => keysList(global()));
  keys
    .command('rm <name>')
    .description('delete a stored secret')
    .action((name: string) => keysRm(name, global()));
  keys
    .command('create-client <name>')
    .description('issue a client key for the gateway (printed once)')
    .option('--models <list>', 'comma-separated models the key may use (default: every model)')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--concurrency <n>', 'requests in flight at once')
    .option('--budget <tokens/period>', 'token budget, like 1000000/day or 5m/month')
    .action((name: string, o: LimitOptions & { models?: string }) =>
      keysCreateClient(name, { ...global(), ...o }),
    );
  keys
    .command('set-limits <name>')
    .description("replace a client key's limits (none given: no limits)")
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--concurrency <n>', 'requests in flight at once')
    .option('--budget <tokens/period>', 'token budget, like 1000000/day or 5m/month')
    .action((name: string, o: LimitOptions) => keysSetLimits(name, o));
  keys
    .command('list-clients')
    .description('client keys and models with limits: the limits and their usage now')
    .option('--json', 'print JSON (the shape is in docs/operations.md)')
    .option(
      '--proxy <url>',
      'read usage from this proxy (default: Redis, else the config listen address)',
    )
    .action((o: { json?: boolean; proxy?: string }) => keysListClients({ ...global(), ...o }));
  keys
    .command('rm-client <name>')
    .description('revoke a client key')
    .action((name: string) => keysRmClient(name));
  keys
    .command('curve')
    .description('make CURVE keys for a tcp:// supervisor endpoint and print the config section')
    .option('--force', 'replace keys already stored')
    .action((o: { force?: boolean }) => keysCurve(o));
}
