import { Command } from 'commander';
import { parseLineCount, parsePort } from './cli-options.js';
import { completion, COMPLETION_SHELLS } from './commands/completion.js';
import { configCheck } from './commands/config-check.js';
import { modelCommand } from './commands/control.js';
import { doctor } from './commands/doctor.js';
import { down } from './commands/down.js';
import { init } from './commands/init.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerActivityCommand } from './commands/activity.js';
import { registerServiceCommands } from './commands/service.js';
import { logs } from './commands/logs.js';
import { proxy } from './commands/proxy.js';
import { registerReloadCommands } from './commands/reload-commands.js';
import { start } from './commands/start.js';
import { status } from './commands/status.js';
import { up } from './commands/up.js';
import { chooseHome } from './home-selection.js';
import { cliVersion } from './version.js';

/** The whole command tree; shell completion is generated from it, so it never goes stale. */
export function buildProgram(): Command {
  const program = new Command('mlx-gateway')
    .description('One endpoint in front of local MLX models and cloud LLM APIs')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option(
      '-c, --config <file>',
      'config file (default: $MLX_GATEWAY_HOME/config.yaml or ~/.mlx-gateway/config.yaml)',
    )
    .option('--demo', "use the running demo's home (`npm run demo`); with `up`, start the demo")
    .showHelpAfterError('(add --help for usage)');

  const global = () => program.opts<{ config?: string; demo?: boolean }>();
  // Every command but `up` (which makes the demo) finds a running demo's home (home-selection.ts).
  program.hook('preAction', (_program, action) => {
    if (action.name() === 'up') return;
    const choice = chooseHome(action.name(), global());
    if (choice.home !== undefined) process.env['MLX_GATEWAY_HOME'] = choice.home;
    if (choice.note !== undefined) process.stderr.write(`${choice.note}\n`);
  });

  program
    .command('up')
    .description(
      'start the supervisor (unless running) and the proxy; Ctrl-C stops what it started',
    )
    .option('--demo', 'use a demo config with one model served by the stand-in model server')
    .option('-p, --port <port>', 'port to listen on (instead of `listen:`)', parsePort)
    .option('--watch', 'reload whenever the config file changes (like `mlx-gateway reload`)')
    .action((o: { demo?: boolean; port?: number; watch?: boolean }) => up({ ...global(), ...o }));
  program
    .command('proxy')
    .description('start one more proxy of the running gateway, on another address')
    .requiredOption('--listen <host:port>', 'where this proxy listens, like 127.0.0.1:8081')
    .action((o: { listen: string }) => proxy({ ...global(), ...o }));
  program
    .command('status')
    .description('models: state, process, memory, uptime, idle countdown, requests in flight')
    .option('--json', 'print a stable JSON document for scripts (see docs/operations.md)')
    .action((o: { json?: boolean }) => status({ ...global(), ...o }));
  program
    .command('start <model>')
    .description(
      'start a model as the operator (never stopped when idle); shows its progress, returns when ready or failed',
    )
    .action((model: string) => start(model, global()));
  for (const [cmd, text] of [
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
    .command('logs <name>')
    .description("the last lines of a model server's log, or of the proxy's or supervisor's")
    .option('-n, --lines <n>', 'number of lines', parseLineCount, 100)
    .option('-f, --follow', 'keep printing lines as they are written, until Ctrl-C')
    .action((name: string, o: { lines: number; follow?: boolean }) =>
      logs(name, { ...global(), ...o }),
    );
  program
    .command('down')
    .description('shut the supervisor down (stops the models it owns)')
    .action(() => down(global()));
  program
    .command('doctor')
    .description(
      'check the setup: mlx-openai-server, ports, secret store, home permissions, config, supervisor',
    )
    .option('--json', 'print a stable JSON document for scripts (see docs/operations.md)')
    .action((o: { json?: boolean }) => doctor({ ...global(), ...o }));
  program
    .command('init')
    .description('write a commented starter config (detects mlx-openai-server on PATH)')
    .option('--force', 'replace an existing config file')
    .action((o: { force?: boolean }) => init({ ...global(), ...o }));
  program
    .command('config')
    .description('configuration tools')
    .command('check [file]')
    .description('validate the config: every problem at once, a summary and warnings')
    .option('-v, --verbose', 'also print the compiled config (secrets redacted)')
    .action((file: string | undefined, o: { verbose?: boolean }) =>
      configCheck({ ...global(), ...(file ? { config: file } : {}), ...o }),
    );
  registerKeysCommands(program, global);
  registerActivityCommand(program, global);
  registerReloadCommands(program, global);
  registerServiceCommands(program, global);
  program
    .command('completion <shell>')
    .description(`print a shell completion script (${COMPLETION_SHELLS.join(', ')})`)
    .addHelpText(
      'after',
      '\nInstall:\n  bash: mlx-gateway completion bash > ~/.local/share/bash-completion/completions/mlx-gateway\n  zsh:  mlx-gateway completion zsh > "${fpath[1]}/_mlx-gateway"\n  fish: mlx-gateway completion fish > ~/.config/fish/completions/mlx-gateway.fish',
    )
    .action((shell: string) => completion(program, shell));
  return program;
}
