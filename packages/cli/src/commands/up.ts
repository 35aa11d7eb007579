import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkProxyListen,
  compileUpstreamParser,
  startProxy,
  type RunningProxy,
} from '@mlx-gateway/proxy';
import { loadConfig, type GatewayConfig } from '@mlx-gateway/shared/config';
import { createLogger } from '@mlx-gateway/shared/logging';
import { releaseFreedMemoryWhenIdle } from '@mlx-gateway/shared/memory';
import { preparePaths, resolveHome } from '@mlx-gateway/shared/paths';
import { prepareDemo, workspaceRoot } from '../demo.js';
import { watchConfigFile } from './config-watch.js';
import { reloadOnSignal } from './reload.js';
import { writeDemoPointer } from '../demo-pointer.js';
import { shellQuote } from '../shell-quote.js';
import { watchSupervisor } from '../supervisor-watch.js';
import { acquireUpLock, type UpLock } from '../up-lock.js';
import { ensureSupervisor, stopSupervisor, type RunningSupervisor } from '../supervisor-process.js';

export interface UpOptions {
  config?: string;
  demo?: boolean;
  port?: number;
  /** Reload whenever the config file changes. */
  watch?: boolean;
}

/** `--port` inside a model port range is refused as the same value in `listen:` is. */
function assertPortOutsideModelRanges(config: GatewayConfig): void {
  const port = config.proxy.port;
  for (const [key, range] of [
    ['gateway', config.supervisor.gatewayPorts],
    ['operator', config.supervisor.operatorPorts],
  ] as const) {
    if (port >= range.from && port <= range.to) {
      throw new Error(
        `port ${port} is inside supervisor.ports.${key} (${range.from}-${range.to}), which model servers use; choose a port outside ${range.from}-${range.to}`,
      );
    }
  }
}

function loadUpConfig(opts: UpOptions): GatewayConfig {
  let home = resolveHome();
  let file = opts.config;
  if (opts.demo) {
    if (!process.env['MLX_GATEWAY_HOME']) home = join(workspaceRoot(), '.demo-home');
    file = prepareDemo(home, opts.port ?? 8080);
  }
  const config = loadConfig({ file, home });
  if (opts.port !== undefined) config.proxy.port = opts.port;
  return config;
}

/**
 * `mlx-gateway up`: starts the supervisor (unless one runs already) and the proxy in this
 * process, prints where the gateway listens, and on Ctrl-C stops the proxy and then the
 * supervisor it started. It never leaves debris: a failed start stops what it started, a
 * second `up` for the same home is refused, and a supervisor that dies under it is reported
 * at once.
 */
export async function up(opts: UpOptions): Promise<void> {
  // Take over Ctrl-C before anything starts: a signal that arrives during start-up must still
  // stop what this command started, not kill the process with the default action.
  const stopRequested = new Promise<'stop'>((resolve) => {
    process.once('SIGINT', () => resolve('stop'));
    process.once('SIGTERM', () => resolve('stop'));
  });
  const config = loadUpConfig(opts);
  assertPortOutsideModelRanges(config);
  // Refuse an unauthenticated non-loopback listen before anything is started.
  await checkProxyListen(config);
  const paths = preparePaths(config.home);
  const lock = acquireUpLock(paths.runDir);

  let supervisor: RunningSupervisor | undefined;
  let proxy: RunningProxy;
  try {
    supervisor = await ensureSupervisor(config, config.file, paths.logsDir);
    // Buffered: the request log writes a line per request, and a system call each would cost
    // more than the rest of the line.
    const logger = createLogger({
      name: 'proxy',
      destination: join(paths.logsDir, 'proxy.log'),
      buffered: true,
    });
    await compileUpstreamParser();
    proxy = await startProxy({ config, logger });
    releaseFreedMemoryWhenIdle();
  } catch (err) {
    await stopStarted(config, supervisor, lock);
    throw err;
  }
  lock.describe(proxy.url);
  const removePointer = opts.demo
    ? writeDemoPointer({ home: config.home, pid: process.pid, url: proxy.url })
    : () => {};
  printBanner(config, proxy.url, supervisor, paths.logsDir, opts.demo === true);

  // SIGHUP: `mlx-gateway reload` (the proxy here follows the supervisor's config event).
  let reloading = Promise.resolve();
  const onHangUp = (): void => {
    reloading = reloading.then(() => reloadOnSignal(config));
  };
  process.on('SIGHUP', onHangUp);
  const fileWatch = opts.watch ? watchConfigFile(config, onHangUp) : undefined;
  const watch = watchSupervisor(config, supervisor);
  const outcome = await Promise.race([stopRequested, watch.died]);
  watch.stop();
  process.off('SIGHUP', onHangUp);
  fileWatch?.close();
  removePointer();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (outcome === 'shut down') {
    say(
      `the supervisor (pid ${supervisor.pid}) was shut down (\`mlx-gateway down\`); stopping the proxy…`,
    );
    await proxy.close();
    lock.release();
    say('stopped.');
    return;
  }
  if (outcome !== 'stop') {
    await proxy.close();
    lock.release();
    throw new Error(
      `the supervisor (pid ${supervisor.pid}) ${outcome}; models cannot start or stop. ` +
        `The proxy is stopped too; see ${join(paths.logsDir, 'supervisor.log')} and run \`mlx-gateway up\` again`,
    );
  }
  say('stopping…');
  await proxy.close();
  await stopStarted(config, supervisor, lock);
  say('stopped.');
}

/** Stops the supervisor if this `up` started it (waiting for its exit), and frees the lock. */
async function stopStarted(
  config: GatewayConfig,
  supervisor: RunningSupervisor | undefined,
  lock: UpLock,
): Promise<void> {
  if (supervisor?.startedHere) {
    await stopSupervisor(config);
    // The control socket closes before the process is gone: wait for the exit itself.
    await supervisor.exited;
  }
  lock.release();
}

function printBanner(
  config: GatewayConfig,
  url: string,
  supervisor: RunningSupervisor,
  logsDir: string,
  demo: boolean,
): void {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`mlx-gateway listening on ${url}`);
  say(`  supervisor: pid ${supervisor.pid}${supervisor.startedHere ? '' : ' (already running)'}`);
  say(`  home: ${config.home}  logs: ${logsDir}`);
  const names = config.models.map((m) => m.name);
  say(
    names.length
      ? `  models: ${names.join(', ')}`
      : `  no models configured yet: run \`mlx-gateway init\` or edit ${join(config.home, 'config.yaml')}`,
  );
  if (names[0]) for (const line of tryHint(config, url, names[0])) say(line);
  if (demo) {
    say(
      `  from another terminal: mlx-gateway --demo status   (or: export MLX_GATEWAY_HOME=${shellQuote(config.home)})`,
    );
    say(
      '    plain `mlx-gateway status`, `logs demo`, `down` find the demo too while ~/.mlx-gateway has no config',
    );
  }
  say('Press Ctrl-C to stop.');
}

/**
 * The curl line to try: with the client-key header when keys are required (a clients.json in
 * the home, even empty, makes the proxy ask for one; the key itself is shown only at creation).
 */
function tryHint(config: GatewayConfig, url: string, model: string): string[] {
  const keysRequired = existsSync(join(config.home, 'clients.json'));
  const lines = [`  try: curl ${url}/v1/chat/completions -H 'content-type: application/json' \\`];
  if (keysRequired) lines.push(`         -H "authorization: Bearer $MLX_GATEWAY_KEY" \\`);
  lines.push(
    `         -d '{"model":"${model}","messages":[{"role":"user","content":"hello there"}]}'`,
  );
  if (keysRequired) {
    lines.push(
      '       (client keys are required: set MLX_GATEWAY_KEY to one from `mlx-gateway keys create-client NAME`)',
    );
  }
  return lines;
}
