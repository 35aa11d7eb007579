import type { Hono } from 'hono';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { applyResult, problemsList } from './config-view.js';
import { checkConfigText } from './config-validate.js';
import type { DashboardEnv, DashboardState } from './dashboard-state.js';
import { localModels, MODEL_ACTIONS } from './models-view.js';
import type { ModelAction } from './models-view.js';
import { renderInflight, renderModelsTable } from './pages.js';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { html } from 'hono/html';

/** A start may take as long as the longest start timeout; the page does not wait for it. */
const START_WAIT_MS = 30 * 60 * 1000;

/** The error a cancelled request's client gets (as an SSE error event, or an error body). */
export function cancelledError(): GatewayError {
  return new GatewayError(
    ErrorCodes.STREAM_INTERRUPTED,
    'the request was cancelled by the gateway operator',
  );
}

/** The dashboard's POST actions (access and CSRF were checked by the middleware). */
export function registerActions(app: Hono<DashboardEnv>, state: DashboardState): void {
  const { deps } = state;

  app.post('/models/:name/:action', async (c) => {
    const name = c.req.param('name');
    const action = c.req.param('action') as ModelAction;
    if (!MODEL_ACTIONS.includes(action)) return c.text('unknown action', 404);
    if (!localModels(deps.config).some((m) => m.name === name)) return c.text('unknown model', 404);
    const command = deps.supervisor.command?.bind(deps.supervisor);
    if (command === undefined) return c.text('no supervisor control', 503);
    state.actionErrors.delete(name);
    const failed = (err: unknown): void => {
      state.actionErrors.set(
        name,
        `${action} failed: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`,
      );
    };
    if (action === 'start') {
      // The state shows up through the supervisor's events; the button does not wait for ready.
      void command({ cmd: 'start', model: name }, START_WAIT_MS).catch(failed);
    } else {
      await command({ cmd: action, model: name }).catch(failed);
    }
    return c.html(await renderModelsTable(state));
  });

  app.post('/activity/cancel/:id', (c) => {
    deps.inflight.cancel(c.req.param('id'), cancelledError());
    return c.html(renderInflight(state));
  });

  app.post('/config/check', async (c) => {
    const form = await c.req.parseBody();
    const text = typeof form['text'] === 'string' ? form['text'] : '';
    const file = deps.config.file ?? gatewayPaths(deps.config.home).config;
    const check = checkConfigText(text, { home: deps.config.home, file });
    return c.html(
      check.ok ? html`<p class="ok-note">The config is valid.</p>` : problemsList(check.problems),
    );
  });

  app.post('/config/apply', async (c) => {
    const form = await c.req.parseBody();
    const text = typeof form['text'] === 'string' ? form['text'] : '';
    return c.html(applyResult(await state.applier.applyConfig(text)));
  });
}
