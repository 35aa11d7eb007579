import { once } from 'node:events';
import type { TestGateway } from './gateway.js';
import {
  freePort,
  portRanges,
  proxyMain,
  startNode,
  writeConfig,
  type RunningProcess,
} from './processes.js';

/**
 * Writes a full config for a test gateway: a free listen port, separate port ranges, then the
 * given sections (`providers:`, `routing:`, `proxy:`, `models:` ... as YAML text).
 */
export async function configureSections(gateway: TestGateway, sections: string): Promise<string> {
  const port = await freePort();
  return writeConfig(
    gateway.home,
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
${sections}`,
  );
}

/** Starts the gateway's proxy with extra environment (the keys `${env:NAME}` references read). */
export async function startProxyWithEnv(
  gateway: TestGateway,
  env: Record<string, string>,
): Promise<string> {
  const proxy = startNode(proxyMain, [], { MLX_GATEWAY_HOME: gateway.home, ...env });
  gateway.cleanup.group(proxy.pid);
  const line = await proxy.waitForLine(/proxy listening on (http:\S+)/);
  const url = /listening on (http:\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no URL in "${line}"`);
  gateway.proxy = { ...proxy, url };
  return url;
}

/** Starts the proxy on a config it must refuse; resolves with its exit code and output. */
export async function proxyRefusing(
  gateway: TestGateway,
): Promise<{ code: number | null; output: string }> {
  const proxy: RunningProcess = startNode(proxyMain, [], { MLX_GATEWAY_HOME: gateway.home });
  // 'close' comes after the exit and after the last output line.
  const closed = once(proxy.child, 'close');
  gateway.cleanup.group(proxy.pid);
  const code = await proxy.exited;
  await closed;
  return { code, output: proxy.lines.join('\n') };
}

/** YAML for a provider served by a fake cloud on 127.0.0.1 (hence allowPrivateNetwork). */
export function fakeProvider(
  name: string,
  baseUrl: string,
  keyVariable: string,
  extra = '',
): string {
  return `  ${name}: { backend: openai-compatible, url: "${baseUrl}", apiKey: "\${env:${keyVariable}}", allowPrivateNetwork: true${extra ? `, ${extra}` : ''} }\n`;
}
