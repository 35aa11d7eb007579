import type { ReloadReport } from '@mlx-gateway/protocol';

/** A reload's report for tests: nothing changed unless `over` says what did. */
export function reloadReport(over: Partial<ReloadReport> = {}): ReloadReport {
  return {
    dryRun: false,
    generation: 2,
    changed: false,
    models: { added: [], removed: [], restarted: [], updated: [], unchanged: [] },
    applied: [],
    needsRestart: [],
    ...over,
  };
}
