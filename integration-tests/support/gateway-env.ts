import type { TestGateway } from './gateway.js';
import { proxyMain, startNode } from './processes.js';

/**
 * Starts the gateway's proxy with extra environment variables (for `${env:NAME}` API keys of
 * remote models); it is stopped with the gateway. Returns the proxy's URL.
 */
export async function startProxyWithEnv(
  gateway: TestGateway,
  env: Record<string, string>,
): Promise<string> {
  const proxy = startNode(proxyMain, [], { MLX_GATEWAY_HOME: gateway.home, ...env });
  gateway.cleanup.group(proxy.pid);
  const line = await proxy.waitForLine(/proxy listening on (http:\S+)/);
  const url = /listening on (http:\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no proxy URL in '${line}'`);
  gateway.proxy = { ...proxy, url };
  return url;
}
