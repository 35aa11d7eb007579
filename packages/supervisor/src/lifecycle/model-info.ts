import type { ModelInfo } from '@mlx-gateway/protocol';
import type { ModelStatus } from './model-status.js';

/**
 * The one place the lifecycle's status becomes the protocol's published shape (flat, every
 * field optional but the state): what a phase does not carry is simply absent.
 */
export function toModelInfo(
  name: string,
  s: ModelStatus,
  memoryBytes?: number,
  idleStopAt?: number,
): ModelInfo {
  return {
    name,
    state: s.phase,
    reason: s.reason,
    pid: s.pid,
    port: s.port,
    // Only phases with a process have a port.
    baseUrl: s.port !== undefined ? `http://127.0.0.1:${s.port}` : undefined,
    owner: s.owner,
    since: s.since,
    retryAt: s.retryAt,
    leases: s.leases,
    lastUsed: s.lastUsed,
    memoryBytes,
    readyAt: s.readyAt,
    startedAt: s.startedAt,
    // Only a ready model's idle timer stops it; a leftover deadline of another phase is stale.
    idleStopAt: s.phase === 'ready' ? idleStopAt : undefined,
  };
}
