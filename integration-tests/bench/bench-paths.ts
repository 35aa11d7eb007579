import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled benchmark's own directory (integration-tests/dist/bench). */
export const benchDir = fileURLToPath(new URL('.', import.meta.url));
export const workspaceRoot = resolve(benchDir, '../../..');
export const supervisorMain = join(workspaceRoot, 'packages/supervisor/dist/main.js');
export const proxyMain = join(workspaceRoot, 'packages/proxy/dist/main.js');
export const cliMain = join(workspaceRoot, 'packages/cli/dist/main.js');
export const fakeUpstreamMain = join(benchDir, 'fake-upstream-main.js');
export const minimalProxyMain = join(benchDir, 'minimal-proxy.js');
export const quietGatewayMain = join(benchDir, 'quiet-gateway-main.js');
/** A preload (`--import`) forcing one full collection (force-gc.ts). */
export const forceGcModule = join(benchDir, 'force-gc.js');
export const abGatewayMain = join(benchDir, 'ab-gateway-main.js');
export const loadClientMain = join(benchDir, 'load-client.js');
export const standinMain = join(benchDir, '../standin/main.js');
