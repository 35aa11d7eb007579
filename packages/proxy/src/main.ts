import { parseArgs } from 'node:util';
import { withListenAddress, loadConfig } from '@mlx-gateway/shared/config';
import { createLogger } from '@mlx-gateway/shared/logging';
import { releaseFreedMemoryWhenIdle } from '@mlx-gateway/shared/memory';
import { startProxy } from './server.js';
import { compileUpstreamParser } from './upstream/parser-warmup.js';

/**
 * The proxy process: `node packages/proxy/dist/main.js [--config FILE] [--listen HOST:PORT]`
 * (`--listen` starts another proxy of the same gateway on another address). Loads the config
 * (MLX_GATEWAY_HOME respected), starts listening, and on SIGTERM or SIGINT shuts down
 * gracefully and exits 0.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, listen: { type: 'string' } },
    allowPositionals: false,
  });
  const loaded = loadConfig(values.config === undefined ? {} : { file: values.config });
  const config = values.listen === undefined ? loaded : withListenAddress(loaded, values.listen);
  const logger = createLogger({ name: 'proxy' });
  await compileUpstreamParser();
  const proxy = await startProxy({ config, logger });
  releaseFreedMemoryWhenIdle();

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'proxy stopping');
    proxy.close().then(
      () => {
        logger.info({}, 'proxy stopped');
        logger.flush(() => process.exit(0));
      },
      (err: unknown) => {
        logger.error({ err }, 'proxy shutdown failed');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // SIGHUP reads the config file again (routes, backends, limits) and the client keys (also
  // watched; SIGHUP covers where a watch cannot see changes). An invalid file changes nothing.
  process.on('SIGHUP', () => {
    proxy.reloadConfig().then(
      ({ generation }) => logger.info({ generation }, 'config and client keys reloaded (SIGHUP)'),
      (err: unknown) => logger.error({ err }, 'reload failed (SIGHUP); nothing was changed'),
    );
  });
  // Announce only once the signal handlers are in place (whoever reads this line may signal at once).
  logger.info({ url: proxy.url }, 'proxy listening');
  process.stdout.write(`mlx-gateway proxy listening on ${proxy.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`mlx-gateway proxy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
