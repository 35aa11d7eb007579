// The gateway proxy exactly as packages/proxy/dist/main.js starts it, except that it logs
// nothing: run by `main.js --quiet-gateway` to show what the request log costs.
//
//   node integration-tests/dist/bench/quiet-gateway-main.js <config file>
import { startProxy } from '@mlx-gateway/proxy';
import { loadConfig } from '@mlx-gateway/shared/config';
import { silentLogger } from './silent-logger.js';

const config = loadConfig({ file: process.argv[2] ?? 'config.yaml' });
const proxy = await startProxy({ config, logger: silentLogger });
process.stdout.write(`quiet gateway listening on ${proxy.url}\n`);
process.on('SIGTERM', () => {
  void proxy.close().finally(() => process.exit(0));
});
