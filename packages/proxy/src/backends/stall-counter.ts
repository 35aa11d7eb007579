import { ErrorCodes } from '@mlx-gateway/protocol';
import { DEFAULT_WEDGED_AFTER } from '@mlx-gateway/shared/config';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import type { GatewayError } from '@mlx-gateway/shared/errors';

/** Told once a model's requests stalled `wedgedAfter` times in a row. */
export type WedgedReport = (model: string, reason: string, pid: number | undefined) => void;

/**
 * Counts, per local model, the requests in a row that stalled after they were sent: a
 * first-byte or idle timeout while the model's /health may well still answer (a known mlx-lm
 * failure, the model is "wedged"). A request that succeeds resets the count; other failures
 * (a client gone, a refused connection) leave it as it is. When the count reaches the model's
 * `wedgedAfter` it is reported, once, and starts again from zero. The success path costs one
 * Map lookup and allocates nothing.
 */
export class StallCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly report: WedgedReport) {}

  observe(model: LocalModelConfig, error: GatewayError | undefined, pid: number | undefined): void {
    if (error === undefined) {
      if (this.counts.size > 0) this.counts.delete(model.name);
      return;
    }
    if (error.code !== ErrorCodes.UPSTREAM_TIMEOUT) return;
    const phase = error.details?.['phase'];
    if (phase !== 'first byte' && phase !== 'idle') return;
    const limit = model.wedgedAfter ?? DEFAULT_WEDGED_AFTER;
    if (limit <= 0) return;
    const count = (this.counts.get(model.name) ?? 0) + 1;
    if (count < limit) {
      this.counts.set(model.name, count);
      return;
    }
    this.counts.delete(model.name);
    const ms = error.details?.['timeoutMs'];
    this.report(
      model.name,
      `${count} requests in a row stalled (the last one: nothing ${phase === 'idle' ? 'more ' : ''}for ${String(ms)} ms, its ${phase} timeout)`,
      pid,
    );
  }

  /** Stalled requests in a row of a model so far (for tests and diagnostics). */
  count(model: string): number {
    return this.counts.get(model) ?? 0;
  }
}
