import type { Command } from 'commander';
import type { ServiceKind } from '../service/service-manager.js';
import type * as ServiceActions from './service-actions.js';

function parseKind(value: string): ServiceKind {
  if (value !== 'launchd' && value !== 'systemd') {
    throw new Error(`--kind takes launchd or systemd (got "${value}")`);
  }
  return value;
}

/** The actions, loaded when a `service` command runs (see service-actions.ts). */
const actions = (): Promise<typeof ServiceActions> => import('./service-actions.js');

/** `mlx-gateway service install|uninstall|status`: run `up` at login (launchd agent or systemd user unit). */
export function registerServiceCommands(program: Command, global: () => { config?: string }): void {
  const service = program
    .command('service')
    .description(
      'run the gateway at login: a launchd agent (macOS) or a systemd user unit (Linux)',
    );
  const kindOption = [
    '--kind <kind>',
    'launchd or systemd (default: this system’s)',
    parseKind,
  ] as const;
  service
    .command('install')
    .description(
      'write the service file (running `mlx-gateway up`, logs in the gateway home) and load it',
    )
    .option('--dry-run', 'print the file instead of writing it')
    .option(...kindOption)
    .action(async (o: { dryRun?: boolean; kind?: ServiceKind }) =>
      (await actions()).install({ ...global(), ...o }),
    );
  service
    .command('uninstall')
    .description('unload and remove the service file')
    .option(...kindOption)
    .action(async (o: { kind?: ServiceKind }) =>
      (await actions()).uninstall({ ...global(), ...o }),
    );
  service
    .command('status')
    .description('whether the service is installed and loaded')
    .option('--json', 'print a JSON document')
    .option(...kindOption)
    .action(async (o: { json?: boolean; kind?: ServiceKind }) =>
      (await actions()).status({ ...global(), ...o }),
    );
}
