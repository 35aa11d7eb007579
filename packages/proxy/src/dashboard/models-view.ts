import { totalmem } from 'node:os';
import { html, raw } from 'hono/html';
import type { ModelInfo } from '@mlx-gateway/protocol';
import type { GatewayConfig, LocalModelConfig } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { ansiLinesToHtml } from './ansi.js';
import { formatBytes, formatMs, formatTime, since, until } from './layout.js';
import type { Markup } from './layout.js';

export type ModelAction = 'start' | 'stop' | 'promote' | 'clear';
export const MODEL_ACTIONS: readonly ModelAction[] = ['start', 'stop', 'promote', 'clear'];

/** What the models table shows of one configured local model. */
export interface ModelRow {
  config: LocalModelConfig;
  info: ModelInfo | undefined;
  /** The tail of its log, for a model that is starting. */
  logTail?: string[];
  /** The last action's failure, shown under the row. */
  actionError?: string;
}

export function localModels(config: GatewayConfig): LocalModelConfig[] {
  return config.models.filter((m): m is LocalModelConfig => m.kind === 'local');
}

/** Which buttons a model in this state offers. */
export function actionsFor(info: ModelInfo | undefined): Set<ModelAction> {
  const state = info?.state ?? 'stopped';
  const actions = new Set<ModelAction>();
  if (state === 'stopped' || state === 'failed') actions.add('start');
  if (state === 'ready' || state === 'starting') actions.add('stop');
  if (state === 'ready' && info?.owner === 'operator') actions.add('promote');
  if (state === 'failed') actions.add('clear');
  return actions;
}

/** When an idle gateway-owned ready model will be stopped (epoch ms), if it will. */
function idleDeadline(row: ModelRow): number | undefined {
  const { info, config } = row;
  if (info?.state !== 'ready' || info.owner !== 'gateway' || info.leases > 0) return undefined;
  if (config.idleTimeoutMs === 0 || info.lastUsed === undefined) return undefined;
  return info.lastUsed + config.idleTimeoutMs;
}

function loadTime(info: ModelInfo | undefined): string {
  if (info?.readyAt === undefined || info.startedAt === undefined) return '–';
  return `${formatMs(info.readyAt - info.startedAt)} at ${formatTime(info.readyAt)}`;
}

function row(r: ModelRow, now: number): Markup {
  const { info } = r;
  const name = r.config.name;
  const state = info?.state ?? 'unknown';
  const actions = actionsFor(info);
  const deadline = idleDeadline(r);
  const buttons = MODEL_ACTIONS.map(
    (action) =>
      html`<button
        type="button"
        data-action="${action}"
        hx-post="/dashboard/models/${encodeURIComponent(name)}/${action}"
        hx-target="#models"
        hx-swap="innerHTML"
        ${actions.has(action) ? '' : html` disabled`}${action === 'stop' ? html` class="danger"` : ''}
      >
        ${action}
      </button> `,
  );
  const reason = info?.reason === undefined ? '' : scrubSecrets(info.reason);
  return html`<tr data-model="${name}" data-state="${state}">
      <td><strong>${name}</strong></td>
      <td>
        <span class="state state-${state}">${state}</span
        >${state === 'starting' ? html` <span class="muted">${since(info?.startedAt ?? info?.since, now)}</span>` : ''}
      </td>
      <td class="hide-narrow">${info?.owner ?? '–'}</td>
      <td class="hide-narrow">${info?.pid ?? '–'}</td>
      <td class="hide-narrow">${info?.port ?? '–'}</td>
      <td>${state === 'ready' ? since(info?.readyAt, now) : '–'}</td>
      <td class="hide-narrow">${deadline === undefined ? '–' : until(deadline, now)}</td>
      <td>${info?.leases ?? 0}</td>
      <td>${formatBytes(info?.memoryBytes)}</td>
      <td class="hide-narrow">${loadTime(info)}</td>
      <td class="actions">${buttons}</td>
    </tr>
    ${
      reason === '' && r.actionError === undefined
        ? ''
        : html`<tr class="note">
            <td></td>
            <td colspan="10" class="wrap muted">
              ${reason}${r.actionError === undefined ? '' : html` <span class="status-error">${r.actionError}</span>`}
            </td>
          </tr>`
    }${
      r.logTail === undefined
        ? ''
        : html`<tr class="note">
            <td></td>
            <td colspan="10">
              <pre class="log tail" data-tail="${name}">${raw(ansiLinesToHtml(r.logTail))}</pre>
            </td>
          </tr>`
    }`;
}

/** The memory line: the models' total against the budget and the machine. */
function memory(rows: ModelRow[], budget: number | undefined): Markup {
  const total = rows.reduce((sum, r) => sum + (r.info?.memoryBytes ?? 0), 0);
  const machine = totalmem();
  const against = budget ?? machine;
  const percent = against > 0 ? Math.min(100, (total / against) * 100) : 0;
  return html`<p>
      Models' resident memory:
      <strong data-memory-total="${total}">${formatBytes(total)}</strong> of
      ${budget === undefined ? 'no budget' : html`a budget of ${formatBytes(budget)}`} · machine
      ${formatBytes(machine)}
    </p>
    <div class="meter" title="${percent.toFixed(1)}%">
      <span style="width:${percent.toFixed(1)}%"></span>
    </div>`;
}

/** The models table (the fragment htmx refreshes on every model event). */
export function modelsTable(rows: ModelRow[], budget: number | undefined, now: number): Markup {
  const starting = rows.some((r) => r.info?.state === 'starting' || r.info?.state === 'stopping');
  return html`${memory(rows, budget)}
<table${starting ? html` data-starting="1"` : ''}>
<thead><tr><th>model</th><th>state</th><th class="hide-narrow">owner</th><th class="hide-narrow">pid</th><th class="hide-narrow">port</th><th>uptime</th><th class="hide-narrow">idle stop in</th><th>in flight</th><th>memory</th><th class="hide-narrow">last load</th><th>actions</th></tr></thead>
<tbody>${
    rows.length === 0
      ? html`<tr>
          <td colspan="11" class="muted">No local models are configured.</td>
        </tr>`
      : rows.map((r) => row(r, now))
  }</tbody>
</table>`;
}

/** The models page's content: the table in a container htmx refreshes. */
export function modelsPage(table: Markup): Markup {
  return html`<section class="card">
    <h2>Models</h2>
    <div
      id="models"
      hx-get="/dashboard/models/table"
      hx-trigger="refresh"
      hx-swap="innerHTML"
      data-refresh="model"
    >
      ${table}
    </div>
  </section>`;
}
