import { request } from 'undici';
import { proxyMain, startNode, type RunningProcess } from './processes.js';

/**
 * Starts the proxy process with `--expose-gc` and MLX_GATEWAY_DEBUG_HEAP=1, so that
 * `proxyHeap()` can ask it for its memory after a full garbage collection.
 */
export async function startProxyWithHeapDebug(
  home: string,
): Promise<RunningProcess & { url: string }> {
  const p = startNode(proxyMain, [], {
    MLX_GATEWAY_HOME: home,
    MLX_GATEWAY_DEBUG_HEAP: '1',
    NODE_OPTIONS: '--expose-gc',
  });
  const line = await p.waitForLine(/proxy listening on (http:\S+)/);
  return { ...p, url: /listening on (http:\S+)/.exec(line)![1]! };
}

/** The proxy's process.memoryUsage() right after a full GC (GET /debug/heap). */
export async function proxyHeap(proxyUrl: string): Promise<NodeJS.MemoryUsage> {
  const res = await request(`${proxyUrl}/debug/heap`);
  const body = (await res.body.json()) as { gc: boolean; memory: NodeJS.MemoryUsage };
  if (res.statusCode !== 200 || !body.gc) {
    throw new Error(`GET /debug/heap: ${res.statusCode}, gc ${body.gc}`);
  }
  return body.memory;
}
