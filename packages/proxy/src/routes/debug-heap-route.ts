import type { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';

/** The environment variable that turns GET /debug/heap on (`1`); off when unset. */
export const DEBUG_HEAP_ENV = 'MLX_GATEWAY_DEBUG_HEAP';

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * GET /debug/heap, for leak tests and diagnosis: runs two full garbage collections when the
 * process was started with `--expose-gc`, then answers `{ gc, memory }` with
 * `process.memoryUsage()` in bytes. Registered only when MLX_GATEWAY_DEBUG_HEAP=1, and even
 * then answered only to loopback clients (anyone else gets the ordinary 404).
 */
export function registerDebugHeapRoute(
  app: Hono<AppEnv>,
  env: Record<string, string | undefined> = process.env,
): void {
  if (env[DEBUG_HEAP_ENV] !== '1') return;
  app.get('/debug/heap', (c) => {
    if (!isLoopbackAddress(c.env.incoming.socket.remoteAddress)) return c.notFound();
    const gc = (globalThis as { gc?: () => void }).gc;
    // Twice: V8 frees the buffers a collection found dead on a background thread, and
    // `arrayBuffers` counts them until that sweep is done, which the next collection awaits.
    // After one, a stream's relayed chunks (already garbage) read as megabytes held.
    gc?.();
    gc?.();
    return c.json({ gc: gc !== undefined, memory: process.memoryUsage() });
  });
}
