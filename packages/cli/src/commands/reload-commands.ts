import type { Command } from 'commander';
import type { GlobalOptions } from './control.js';
import { configDiff, reload } from './reload.js';

/** `mlx-gateway reload` and `mlx-gateway config diff` (after `config check`). */
export function registerReloadCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('reload')
    .description(
      'apply the edited config without a restart: only changed models restart (also SIGHUP to `up`)',
    )
    .action(() => reload(global()));
  const config =
    program.commands.find((c) => c.name() === 'config') ??
    program.command('config').description('configuration tools');
  config
    .command('diff [file]')
    .description('what `reload` would change (a dry run: nothing is applied)')
    .option('--json', 'print the report as JSON')
    .action((file: string | undefined, o: { json?: boolean }) =>
      configDiff({ ...global(), ...(file ? { config: file } : {}), ...o }),
    );
}
