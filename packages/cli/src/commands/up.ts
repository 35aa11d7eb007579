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
  const logger = createLogger({ name: 'proxy', destination: join(paths.logsDir, 'proxy.log') });
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

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  say('stopping…');
  await proxy.close();
  if (supervisor.startedHere) await stopSupervisor(config);
  say('stopped.');
}
