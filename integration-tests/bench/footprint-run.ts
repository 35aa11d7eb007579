import { COLD_LOAD_MS, COLD_MODELS, REMOTE_MODEL } from './bench-gateway.js';
import type { BenchGateway } from './bench-gateway.js';
import { measureColdStart } from './cold-start.js';
import { measureDirectColdStart } from './direct-cold-start.js';
import { disconnectStorm } from './disconnect-storm.js';
import { settleBound } from './footprint-report.js';
import type { Footprint } from './footprint-report.js';
import { gatewayMemory, idleMemory, settledMemory } from './gateway-memory.js';
import type { GatewayMemory } from './gateway-memory.js';

/** What the gateway holds idle, a while after it started with its local model ready. */
export function gatewayIdleMemory(
  gateway: BenchGateway,
): Promise<{ idle: GatewayMemory; early: GatewayMemory }> {
  return idleMemory(gateway.proxy.pid, gateway.supervisor.pid);
}

/**
 * The gateway's own cost once the load is over: memory at its end and after it settles; the
 * same after 1,000 streams at once, most cut off by their client (disconnect-storm.ts); then
 * two cold starts of stand-in models (one request waiting, then a hundred), and the hundred
 * sent straight to a fresh stand-in for comparison.
 */
export async function measureFootprint(
  gateway: BenchGateway,
  home: string,
  idle: { idle: GatewayMemory; early: GatewayMemory },
): Promise<Footprint> {
  const { proxy, supervisor } = gateway;
  const endOfLoad = gatewayMemory(proxy.pid, supervisor.pid);
  const settled = await settledMemory(proxy.pid, supervisor.pid, settleBound(idle.idle), 30_000);
  const storm = await disconnectStorm(proxy.url, REMOTE_MODEL);
  const afterStorm = gatewayMemory(proxy.pid, supervisor.pid);
  const stormSettled = await settledMemory(
    proxy.pid,
    supervisor.pid,
    settleBound(idle.idle),
    30_000,
  );
  const coldStarts = [
    await measureColdStart(proxy.url, home, COLD_MODELS.one, 1),
    await measureColdStart(proxy.url, home, COLD_MODELS.hundred, 100),
  ];
  // The same 100 straight to a fresh stand-in: the model server's own share of those figures.
  const directColdStart = await measureDirectColdStart(100, COLD_LOAD_MS);
  return {
    idle: idle.idle,
    idleEarly: idle.early,
    endOfLoad,
    settled: settled.memory,
    settleMs: settled.ms,
    storm: { ...storm, after: afterStorm, settled: stormSettled.memory, settleMs: stormSettled.ms },
    coldStarts,
    directColdStart,
  };
}
