#!/usr/bin/env node
import { Command } from 'commander';
import { scrubSecrets } from '@mlx-gateway/shared';
import { up } from './commands/up.js';
import { down, logs, modelCommand, status } from './commands/control.js';
import { configCheck } from './commands/config-check.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerActivityCommand } from './commands/activity.js';

const program = new Command('mlx-gateway')
  .description('One endpoint in front of local MLX models and cloud LLM APIs')
  .option(
    '-c, --config <file>',
    'config file (default: $MLX_GATEWAY_HOME/config.yaml or ~/.mlx-gateway/config.yaml)',
  )
  .showHelpAfterError();

const global = () => program.opts<{ config?: string }>();

program
  .command('up')
  .description('start the supervisor (unless running) and the proxy; Ctrl-C stops both')
  .option('--demo', 'use a demo config with one model served by the stand-in model server')
  .option('-p, --port <port>', 'port to listen on')
  .action((o: { demo?: boolean; port?: string }) => up({ ...global(), ...o }));
program
  .command('status')
  .description('models and their states')
  .option('--json', 'print the raw snapshot')
  .action((o: { json?: boolean }) => status({ ...global(), ...o }));
for (const [cmd, text] of [
  ['start', 'start a model as the operator (it is never stopped when idle)'],
  ['stop', 'stop a model (waits for in-flight requests to finish)'],
  ['promote', 'hand an operator-started model over to the gateway (idle stop applies)'],
  ['clear', "clear a failed model's backoff so the next request tries again"],
] as const) {
  program
    .command(`${cmd} <model>`)
    .description(text)
    .action((model: string) => modelCommand(cmd, model, global()));
}
program
  .command('logs <model>')
  .description("the last lines of a model server's log")
  .option('-n, --lines <n>', 'number of lines', '100')
  .action((model: string, o: { lines?: string }) => logs(model, { ...global(), ...o }));
program
  .command('down')
  .description('shut the supervisor down (stops the models it owns)')
  .action(() => down(global()));
program
  .command('config')
  .description('configuration tools')
  .command('check')
  .description('validate the config and print it with secrets redacted')
  .action(() => configCheck(global()));
registerKeysCommands(program, global);
registerActivityCommand(program, global);

program.parseAsync().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mlx-gateway: ${scrubSecrets(message)}\n`);
  process.exit(1);
});
