import { join } from 'node:path';
import { checkProxyListen, compileUpstreamParser, startProxy } from '@mlx-gateway/proxy';
import { withListenAddress, loadConfig } from '@mlx-gateway/shared/config';
import { createLogger } from '@mlx-gateway/shared/logging';
import { releaseFreedMemoryWhenIdle } from '@mlx-gateway/shared/memory';
import { preparePaths } from '@mlx-gateway/shared/paths';
import { pingSupervisor } from '../supervisor-process.js';

export interface ProxyOptions {
  config?: string;
  listen: string;
}

/**
 * `mlx-gateway proxy --listen HOST:PORT`: one more proxy of a running gateway, in this
 * process, on the same supervisor (which must be running: `mlx-gateway up` starts it). With
 * `state.redis` every proxy counts the same client-key limits. Ctrl-C stops this proxy only.
 */
export async function proxy(opts: ProxyOptions): Promise<void> {
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const config = withListenAddress(
    loadConfig(opts.config === undefined ? {} : { file: opts.config }),
    opts.listen,
  );
  await checkProxyListen(config);
  if ((await pingSupervisor(config)) === undefined) {
    throw new Error(
      'no supervisor answers for this gateway home: start the gateway with `mlx-gateway up` first, then add proxies with `mlx-gateway proxy --listen HOST:PORT`',
    );
  }
  if (config.state?.redis === undefined) {
    process.stderr.write(
      'note: without `state.redis` each proxy counts client-key limits on its own (its embedded store)\n',
    );
  }
  const paths = preparePaths(config.home);
  const logFile = join(paths.logsDir, `proxy-${config.proxy.port}.log`);
  const logger = createLogger({ name: 'proxy', destination: logFile, buffered: true });
  await compileUpstreamParser();
  const running = await startProxy({ config, logger });
  releaseFreedMemoryWhenIdle();
  process.stdout.write(
    `mlx-gateway proxy listening on ${running.url} (log: ${logFile}); Ctrl-C stops it\n`,
  );
  // SIGHUP reads the config file and client keys again (the supervisor's reloads are followed
  // by themselves); an invalid file changes nothing.
  const onHangUp = (): void => {
    running.reloadConfig().then(
      ({ generation }) => process.stdout.write(`config reloaded (generation ${generation})\n`),
      (err: unknown) =>
        process.stderr.write(`reload failed, nothing was changed: ${(err as Error).message}\n`),
    );
  };
  process.on('SIGHUP', onHangUp);
  await stopRequested;
  process.off('SIGHUP', onHangUp);
  await running.close();
  process.stdout.write('stopped.\n');
}
