import type { ModelInfo } from '@mlx-gateway/protocol';

/** Formats rows as aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `850ms`, `2.1s`, `3m05s`: a wait as short as it can be said. */
function waitText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return ago(0, ms);
}

/**
 * The lines of the models with `maxConcurrent` (shared by every proxy): turns out of the
 * maximum, requests waiting out of the line's size, the oldest wait, and since the supervisor
 * started the requests that waited, their average wait and the refused. Empty when no model
 * has a line.
 */
export function queueTable(models: ModelInfo[]): string {
  const lines = models.flatMap((m) =>
    m.queue === undefined ? [] : [{ name: m.name, q: m.queue }],
  );
  if (lines.length === 0) return '';
  return table(
    ['QUEUE', 'ACTIVE', 'WAITING', 'OLDEST', 'WAITED', 'AVG WAIT', 'REFUSED'],
    lines.map(({ name, q }) => [
      name,
      `${q.active}/${q.maxConcurrent}`,
      `${q.waiting}/${q.size}`,
      q.waiting > 0 ? waitText(q.oldestWaitMs) : '-',
      String(q.waited),
      q.waited > 0 ? waitText(q.waitedMs / q.waited) : '-',
      String(q.refused),
    ]),
  );
}
