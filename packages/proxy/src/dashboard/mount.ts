import type { Context, Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import type { DashboardDeps } from './dashboard-deps.js';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/dashboard';

type Served = (c: Context<AppEnv>) => Promise<Response>;

/**
 * Mounts the dashboard on the Hono app. Only this file is loaded with the proxy: the pages,
 * htmx and the rest are imported on the first request under /dashboard, so a gateway whose
 * dashboard is never opened pays nothing for it. The proxied POST routes never reach the Hono
 * app at all (http/proxied-routes.ts), so the dashboard adds nothing to their path.
 */
export function mountDashboard(app: Hono<AppEnv>, deps: DashboardDeps): void {
  let loading: Promise<Served> | undefined;
  const load = (): Promise<Served> =>
    (loading ??= import('./dashboard-app.js').then((m) => m.createDashboard(deps)));
  const serve = async (c: Context<AppEnv>): Promise<Response> => {
    let served: Served;
    try {
      served = await load();
    } catch (err) {
      deps.logger?.error({ err }, 'the dashboard could not be loaded');
      // Not cached: the next request tries again. The app's error handler is not for us (it
      // answers in an API format, with the request record the dashboard does not open).
      loading = undefined;
      return c.text('the dashboard could not be loaded; see the proxy log', 500);
    }
    return served(c);
  };
  app.all(DASHBOARD_PATH, serve);
  app.all(`${DASHBOARD_PATH}/*`, serve);
}
