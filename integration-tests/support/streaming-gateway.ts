import { TestGateway } from './gateway.js';
import { startProxyWithHeapDebug } from './heap-debug.js';
import { freePort, portRanges, registeredChildren, writeConfig } from './processes.js';
import { waitUntil } from './wait.js';

export interface StreamingGatewayOptions {
  /** YAML lines under `models:` (see standinModel). */
  models: string;
  /** YAML lines under `proxy:`, e.g. `  heartbeat: 200ms`. */
  proxy?: string;
  /** Start the proxy with --expose-gc and GET /debug/heap (see heap-debug.ts). */
  heapDebug?: boolean;
}

/** A TestGateway with a `proxy:` section in its config; supervisor and proxy running. */
export async function startStreamingGateway(
  options: StreamingGatewayOptions,
): Promise<TestGateway & { url: string }> {
  const gateway = new TestGateway();
  writeConfig(
    gateway.home,
    `listen: 127.0.0.1:${await freePort()}
supervisor:
  ports: ${await portRanges()}
${options.proxy === undefined ? '' : `proxy:\n${options.proxy}\n`}models:
${options.models}`,
  );
  await gateway.startSupervisor();
  if (options.heapDebug === true) {
    gateway.proxy = await startProxyWithHeapDebug(gateway.home);
    gateway.cleanup.group(gateway.proxy.pid);
  } else {
    await gateway.startProxy();
  }
  return Object.assign(gateway, { url: gateway.proxy!.url });
}

/** The port of the model server the supervisor runs for `model` (waits until it is registered). */
export function modelPort(gateway: TestGateway, model: string): Promise<number> {
  return waitUntil(
    () => registeredChildren(gateway.home).find((c) => c.model === model)?.port,
    `a registered process for ${model}`,
  );
}
