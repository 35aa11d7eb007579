import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import type { AppEnv } from '../http/app-env.js';
import { readLastRecords } from '../audit/audit-query.js';
import {
  CSRF_HEADER,
  DashboardSessions,
  csrfProblem,
  decideAccess,
  isLoopbackAddress,
  sameSecret,
  sessionCookie,
} from './access.js';
import type { RequestFacts } from './access.js';
import { ActivityStore } from './activity-store.js';
import { serveAsset } from './assets.js';
import { ChartSeries } from './chart-series.js';
import type { DashboardDeps } from './dashboard-deps.js';
import type { DashboardEnv, DashboardState } from './dashboard-state.js';
import { fileConfigApplier } from './config-apply.js';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { loginPage } from './layout.js';
import { registerPages } from './pages.js';
import { registerActions } from './actions.js';

const HOUR_MS = 60 * 60 * 1000;

/** Security headers of every dashboard answer: no framing, no foreign script, no caching. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

function facts(c: Context<DashboardEnv>): RequestFacts {
  return {
    remoteAddress: c.env.incoming.socket.remoteAddress,
    host: c.req.header('host'),
    cookie: c.req.header('cookie'),
    method: c.req.method,
    origin: c.req.header('origin'),
    secFetchSite: c.req.header('sec-fetch-site'),
    csrfHeader: c.req.header(CSRF_HEADER),
  };
}

/** Loads what the dashboard shows from before it was first opened. */
async function backfill(state: DashboardState): Promise<void> {
  const audit = state.deps.config.audit;
  if (audit?.enabled !== true) return;
  await state.activity.backfill(audit.dir);
  const lastHour = await readLastRecords(audit.dir, { since: Date.now() - HOUR_MS }, 100_000).catch(
    () => [],
  );
  for (const record of lastHour) state.series.add(record);
}

/**
 * The dashboard (loaded on its first request, see mount.ts): access and CSRF checks first,
 * then the pages (pages.ts) and the actions (actions.ts).
 */
export function createDashboard(deps: DashboardDeps): (c: Context<AppEnv>) => Promise<Response> {
  const sessions = new DashboardSessions();
  const activity = new ActivityStore();
  const series = new ChartSeries();
  activity.onRecord((record) => series.add(record));
  if (deps.events !== undefined) activity.follow(deps.events);
  const applier =
    deps.applier ??
    fileConfigApplier({
      file: deps.config.file ?? gatewayPaths(deps.config.home).config,
      home: deps.config.home,
      sendReload: deps.sendReload,
    });
  const state: DashboardState = {
    deps,
    applier,
    activity,
    series,
    ready: Promise.resolve(),
    actionErrors: new Map(),
    modelChanges: new Set(),
  };
  deps.supervisor.onModelChange?.(() => {
    for (const listener of state.modelChanges) listener();
  });
  state.ready = backfill(state).catch(() => undefined);

  const app = new Hono<DashboardEnv>().basePath('/dashboard');
  app.use(async (c, next) => {
    await next();
    c.header('content-security-policy', CSP);
    c.header('x-frame-options', 'DENY');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
  app.use(access(deps, sessions));
  app.get('/assets/:name', (c) => serveAsset(c, c.req.param('name')));
  registerPages(app, state);
  registerActions(app, state);
  app.notFound((c) => c.text('not found', 404));
  app.onError((err, c) => c.text(`the dashboard failed: ${scrubSecrets(err.message)}`, 500));
  return (c) => Promise.resolve(app.fetch(c.req.raw, c.env));
}

/** The access check (access.ts) as middleware, and the login form's POST. */
function access(deps: DashboardDeps, sessions: DashboardSessions): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const f = facts(c);
    // The operator key is looked up only for callers from elsewhere (loopback needs none).
    const keyConfigured =
      !isLoopbackAddress(f.remoteAddress) &&
      (await deps.operatorKey().catch(() => undefined)) !== undefined;
    const decision = decideAccess(f, sessions, keyConfigured);
    const path = c.req.path;
    if (decision.kind === 'not-found') return c.text('not found', 404);
    if (decision.kind === 'forbidden') return c.text(`forbidden: ${decision.reason}`, 403);
    if (decision.kind === 'login') {
      if (path.startsWith('/dashboard/assets/')) return next();
      if (path === '/dashboard/login' && c.req.method === 'POST')
        return login(c, f, deps, sessions);
      return c.html(loginPage(), 401);
    }
    c.set('session', decision.session);
    if (decision.setCookie !== undefined) c.header('set-cookie', decision.setCookie);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const problem = csrfProblem(f, decision.session);
      if (problem !== undefined) return c.text(`forbidden: ${problem}`, 403);
    }
    return next();
  };
}

/** POST /dashboard/login: the operator key opens a session (a client key never does). */
async function login(
  c: Context<DashboardEnv>,
  f: RequestFacts,
  deps: DashboardDeps,
  sessions: DashboardSessions,
): Promise<Response> {
  const problem = csrfProblem(f, undefined);
  if (problem !== undefined) return c.text(`forbidden: ${problem}`, 403);
  const form = await c.req.parseBody();
  const presented = typeof form['key'] === 'string' ? form['key'] : '';
  const key = await deps.operatorKey().catch(() => undefined);
  if (presented !== '' && deps.isClientKey?.(presented) === true) {
    return c.html(loginPage('A client key never opens the dashboard; use the operator key.'), 401);
  }
  if (key === undefined || presented === '' || !sameSecret(presented, key)) {
    return c.html(loginPage('That is not the operator key.'), 401);
  }
  const session = sessions.open(true);
  c.header('set-cookie', sessionCookie(session));
  return c.redirect('/dashboard/models', 303);
}
