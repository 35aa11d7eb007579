import type { AppEnv } from '../http/app-env.js';
import type { Session } from './access.js';
import type { ActivityStore } from './activity-store.js';
import type { ChartSeries } from './chart-series.js';
import type { ConfigApplier, DashboardDeps } from './dashboard-deps.js';

/** The dashboard's Hono environment: the proxy's, plus the caller's session. */
export interface DashboardEnv {
  Bindings: AppEnv['Bindings'];
  Variables: AppEnv['Variables'] & { session: Session };
}

/** What the pages and actions share. */
export interface DashboardState {
  deps: DashboardDeps;
  applier: ConfigApplier;
  activity: ActivityStore;
  series: ChartSeries;
  /** Resolves once the audit files' recent records are loaded. */
  ready: Promise<void>;
  /**
   * Called on every model change the supervisor publishes: one subscription to the model
   * directory for the whole dashboard, however many pages are open.
   */
  modelChanges: Set<() => void>;
  /** The last failed action per model, shown on its row until the next action. */
  actionErrors: Map<string, string>;
}
