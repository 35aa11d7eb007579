import { readFile } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import {
  activityPage,
  activityQuery,
  inflightTable,
  recordsTable,
  requestDetail,
} from './activity-view.js';
import { AnsiHtml } from './ansi.js';
import { chartsGrid, chartsPage } from './charts-view.js';
import { configPage, effectiveConfigYaml } from './config-view.js';
import type { DashboardEnv, DashboardState } from './dashboard-state.js';
import { dashboardEvents } from './dashboard-events.js';
import { layout } from './layout.js';
import type { Markup, PageName } from './layout.js';
import { LogFollower, logSources } from './log-follow.js';
import { logsPage } from './logs-view.js';
import { localModels, modelsPage, modelsTable } from './models-view.js';
import type { ModelRow } from './models-view.js';

type Ctx = Context<DashboardEnv>;

function page(
  c: Ctx,
  name: PageName,
  title: string,
  content: Markup,
): Response | Promise<Response> {
  return c.html(
    layout({ page: name, csrf: c.get('session').csrf, now: Date.now() }, title, content),
  );
}

/** The rows of the models table; a model that is starting gets the tail of its log. */
export async function modelRows(state: DashboardState): Promise<ModelRow[]> {
  const { supervisor, config } = state.deps;
  return Promise.all(
    localModels(config).map(async (m) => {
      const info = supervisor.modelInfo(m.name);
      const r: ModelRow = { config: m, info };
      const error = state.actionErrors.get(m.name);
      if (error !== undefined) r.actionError = error;
      if (info?.state === 'starting' && supervisor.command !== undefined) {
        r.logTail = await supervisor
          .command({ cmd: 'logs', model: m.name, lines: 12 })
          .then((l) => l.lines)
          .catch(() => []);
      }
      return r;
    }),
  );
}

export async function renderModelsTable(state: DashboardState): Promise<Markup> {
  const budget = state.deps.config.supervisor.memoryBudgetBytes;
  return modelsTable(await modelRows(state), budget, Date.now());
}

export function renderInflight(state: DashboardState): Markup {
  const { inflight, clock } = state.deps;
  const now = Date.now();
  const offset = now - clock.now();
  return inflightTable(inflight.list(), (start) => start + offset, now);
}

/** The GET pages and fragments. */
export function registerPages(app: Hono<DashboardEnv>, state: DashboardState): void {
  const { deps, activity } = state;
  app.get('/', (c) => c.redirect('/dashboard/models', 302));
  app.get('/models', async (c) =>
    page(c, 'models', 'Models', modelsPage(await renderModelsTable(state))),
  );
  app.get('/models/table', async (c) => c.html(await renderModelsTable(state)));

  app.get('/activity', async (c) => {
    await state.ready;
    const query = activityQuery(c.req.query());
    return page(
      c,
      'activity',
      'Activity',
      activityPage({
        query,
        names: activity.names(),
        records: recordsTable(activity.query(query)),
        inflight: renderInflight(state),
        live: deps.events !== undefined,
      }),
    );
  });
  app.get('/activity/records', async (c) => {
    await state.ready;
    return c.html(recordsTable(activity.query(activityQuery(c.req.query()))));
  });
  app.get('/activity/inflight', (c) => c.html(renderInflight(state)));
  app.get('/activity/request/:id', async (c) => {
    await state.ready;
    const id = c.req.param('id');
    return page(c, 'activity', 'Request', requestDetail(activity.get(id), id));
  });

  app.get('/charts', async (c) => {
    await state.ready;
    return page(c, 'charts', 'Charts', chartsPage(chartsGrid(state.series)));
  });
  app.get('/charts/grid', (c) => c.html(chartsGrid(state.series)));

  app.get('/config', async (c) => {
    const file = deps.config.file ?? gatewayPaths(deps.config.home).config;
    const text = await readFile(file, 'utf8').catch(
      () => '# no config file yet: the defaults apply\n',
    );
    return page(
      c,
      'config',
      'Config',
      configPage({ effective: effectiveConfigYaml(deps.config), text: scrubSecrets(text), file }),
    );
  });

  app.get('/logs', (c) => {
    const sources = logSources(deps.config);
    const wanted = c.req.query('source');
    const current = sources.find((s) => s.id === wanted) ?? sources[0];
    return page(c, 'logs', 'Logs', logsPage(sources, current));
  });
  app.get('/logs/stream', (c) => followLog(c, state));
  app.get('/events', (c) => dashboardEvents(c, state.modelChanges, activity));
}

/** GET /dashboard/logs/stream?source=…: the log's tail, then its new lines, as HTML events. */
function followLog(c: Ctx, state: DashboardState): Response {
  const source = logSources(state.deps.config).find((s) => s.id === c.req.query('source'));
  if (source === undefined) return c.text('no such log', 404);
  c.header('x-accel-buffering', 'no');
  return streamSSE(c, async (stream) => {
    const ansi = new AnsiHtml();
    let chain = Promise.resolve();
    const follower = new LogFollower(source.file, (text) => {
      chain = chain.then(() => stream.writeSSE({ event: 'log', data: ansi.render(text) }));
    });
    await stream.write(': following\n\n');
    await follower.start();
    if (!stream.aborted) await new Promise<void>((resolve) => stream.onAbort(resolve));
    follower.stop();
    await chain.catch(() => undefined);
  });
}
