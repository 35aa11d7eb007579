import { join } from 'node:path';
import { checkProxyListen, startProxy } from '@mlx-gateway/proxy';
import { createLogger, loadConfig, preparePaths, resolveHome } from '@mlx-gateway/shared';
import { prepareDemo, workspaceRoot } from '../demo.js';
import { ensureSupervisor, stopSupervisor } from '../supervisor-process.js';

export interface UpOptions {
  config?: string;
  demo?: boolean;
  port?: string;
}

/**
 * `mlx-gateway up`: starts the supervisor (unless one runs already) and the proxy in this
 * process, prints where the gateway listens, and on Ctrl-C stops the proxy and then the
 * supervisor it started.
 */
export async function up(opts: UpOptions): Promise<void> {
  let home = resolveHome();
  // Take over Ctrl-C before anything starts: a signal that arrives during start-up must still
  // stop what this command started, not kill the process with the default action.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  let file = opts.config;
  if (opts.demo) {
    if (!process.env['MLX_GATEWAY_HOME']) home = join(workspaceRoot(), '.demo-home');
    file = prepareDemo(home, opts.port ? Number(opts.port) : 8080);
  }
  const config = loadConfig({ file, home });
  if (opts.port && !opts.demo) config.proxy.port = Number(opts.port);
  // Refuse an unauthenticated non-loopback listen before anything is started.
  await checkProxyListen(config);
  const paths = preparePaths(config.home);

  const supervisor = await ensureSupervisor(config, config.file, paths.logsDir);
  // Buffered: the request log writes a line per request, and a system call each would cost
  // more than the rest of the line.
  const logger = createLogger({
    name: 'proxy',
    destination: join(paths.logsDir, 'proxy.log'),
    buffered: true,
  });
  const proxy = await startProxy({ config, logger });

  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`mlx-gateway listening on ${proxy.url}`);
  say(`  supervisor: pid ${supervisor.pid}${supervisor.startedHere ? '' : ' (already running)'}`);
  say(`  home: ${config.home}  logs: ${paths.logsDir}`);
  const names = config.models.map((m) => m.name);
  say(
    names.length
      ? `  models: ${names.join(', ')}`
      : `  no models configured yet: edit ${paths.config}`,
  );
  if (names[0]) {
    say(`  try: curl ${proxy.url}/v1/chat/completions -H 'content-type: application/json' \\`);
    say(
      `         -d '{"model":"${names[0]}","messages":[{"role":"user","content":"hello there"}]}'`,
    );
  }
  say('Press Ctrl-C to stop.');

  await stopRequested;
  say('stopping…');
  await proxy.close();
  if (supervisor.startedHere) {
    await stopSupervisor(config);
    // The control socket closes before the process is gone: wait for the exit itself.
    await supervisor.exited;
  }
  say('stopped.');
}
