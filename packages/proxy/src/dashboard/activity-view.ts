import { html } from 'hono/html';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import type { AuditQuery } from '../audit/audit-query.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { ExchangeView } from '../forwarding/exchange.js';
import { formatBytes, formatMs, formatTime, since } from './layout.js';
import type { Markup } from './layout.js';

/** The filters of the activity page, from its query string (empty values dropped). */
export function activityQuery(params: Record<string, string | undefined>): AuditQuery {
  const query: AuditQuery = {};
  const model = params['model']?.trim();
  const client = params['client']?.trim();
  const status = params['status']?.trim().toLowerCase();
  if (model) query.model = model;
  if (client) query.client = client;
  if (status && /^(?:[1-5]\d\d|[1-5]xx|error)$/.test(status)) query.status = status;
  if (params['incomplete'] === 'on' || params['incomplete'] === '1') query.incompleteOnly = true;
  return query;
}

function queryString(q: AuditQuery): string {
  const p = new URLSearchParams();
  if (q.model !== undefined) p.set('model', q.model);
  if (q.client !== undefined) p.set('client', q.client);
  if (q.status !== undefined) p.set('status', q.status);
  if (q.incompleteOnly === true) p.set('incomplete', 'on');
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

function tokens(r: AuditRecord): string {
  if (r.usage === undefined) return '–';
  return `${r.usage.input + r.usage.cacheRead + r.usage.cacheWrite} / ${r.usage.output}`;
}

function note(r: AuditRecord): string {
  const parts: string[] = [];
  if (r.errorCode !== undefined) parts.push(r.errorCode);
  if (r.incomplete !== undefined) parts.push(`incomplete: ${r.incomplete}`);
  if (r.coldStart) parts.push('cold start');
  return parts.join(', ');
}

/** Names a client chose (the model asked for) are scrubbed like any text a client sends. */
function model(r: AuditRecord): string {
  if (r.resolvedModel === undefined || r.resolvedModel === r.model)
    return scrubSecrets(r.model ?? '–');
  return scrubSecrets(`${r.model ?? '–'} → ${r.resolvedModel}`);
}

/** The records table (the fragment refreshed on every request end). */
export function recordsTable(records: AuditRecord[]): Markup {
  return html`<table>
    <thead>
      <tr>
        <th>time</th>
        <th>status</th>
        <th class="hide-narrow">api</th>
        <th>model</th>
        <th>client</th>
        <th>duration</th>
        <th class="hide-narrow">ttft</th>
        <th>tokens</th>
        <th class="hide-narrow">note</th>
      </tr>
    </thead>
    <tbody>
      ${
        records.length === 0
          ? html`<tr>
              <td colspan="9" class="muted">No requests yet.</td>
            </tr>`
          : records.map(
              (r) =>
                html`<tr data-request-id="${r.requestId}">
                  <td>
                    <a href="/dashboard/activity/request/${encodeURIComponent(r.requestId)}"
                      >${formatTime(Date.parse(r.time))}</a
                    >
                  </td>
                  <td class="${r.status >= 400 || !r.complete ? 'status-error' : 'status-ok'}">
                    ${r.status}
                  </td>
                  <td class="hide-narrow">${r.api}</td>
                  <td>${model(r)}</td>
                  <td>${r.client ?? '–'}</td>
                  <td>${formatMs(r.durationMs)}</td>
                  <td class="hide-narrow">${formatMs(r.ttftMs)}</td>
                  <td>${tokens(r)}</td>
                  <td class="hide-narrow wrap">${note(r)}</td>
                </tr>`,
            )
      }
    </tbody>
  </table>`;
}

/**
 * Requests in flight, with elapsed time, bytes and the cancel button. The page polls this
 * fragment once a second: a request's start publishes nothing (the proxied path stays as it
 * is), so polling the registry is what shows it.
 */
export function inflightTable(
  views: ExchangeView[],
  toEpoch: (start: number) => number,
  now: number,
): Markup {
  return html`<table>
    <thead>
      <tr>
        <th>request</th>
        <th>model</th>
        <th>client</th>
        <th>elapsed</th>
        <th>bytes</th>
        <th>stream</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${
        views.length === 0
          ? html`<tr>
              <td colspan="7" class="muted">Nothing in flight.</td>
            </tr>`
          : views.map(
              (v) =>
                html`<tr data-inflight-id="${v.reqId}">
                  <td>
                    <code>${v.reqId.slice(0, 8)}</code>
                    <span class="muted hide-narrow">${v.path}</span>
                  </td>
                  <td>
                    ${v.model ?? '–'}${v.target !== undefined && v.target !== v.model ? ` → ${v.target}` : ''}
                  </td>
                  <td>${v.client ?? '–'}</td>
                  <td>${since(toEpoch(v.start), now)}</td>
                  <td>${formatBytes(v.bytes)}</td>
                  <td>${v.stream ? 'yes' : 'no'}</td>
                  <td>
                    <button
                      type="button"
                      class="danger"
                      data-cancel="${v.reqId}"
                      hx-post="/dashboard/activity/cancel/${encodeURIComponent(v.reqId)}"
                      hx-target="#inflight"
                      hx-swap="innerHTML"
                      hx-confirm="Cancel this request? Its client gets an error."
                    >
                      cancel
                    </button>
                  </td>
                </tr>`,
            )
      }
    </tbody>
  </table>`;
}

function options(values: string[], selected: string | undefined): Markup {
  return html`<option value="">any</option>
    ${values.map(
      (v) => html`<option value="${v}" ${v === selected ? html` selected` : ''}>${v}</option>`,
    )}`;
}

export interface ActivityPageParts {
  query: AuditQuery;
  names: { models: string[]; clients: string[] };
  records: Markup;
  inflight: Markup;
  /** Absent: audit and metrics are off, so no request ends are published. */
  live: boolean;
}

export function activityPage(p: ActivityPageParts): Markup {
  const qs = queryString(p.query);
  return html`<section class="card">
      <h2>In flight</h2>
      <div
        id="inflight"
        hx-get="/dashboard/activity/inflight"
        hx-trigger="refresh"
        hx-swap="innerHTML"
        data-refresh="inflight"
        data-poll
      >
        ${p.inflight}
      </div>
    </section>
    <section class="card">
      <h2>Requests</h2>
      ${p.live ? '' : html`<p class="muted">The audit log and metrics are both off: no request ends are recorded.</p>`}
      <form
        class="filters"
        hx-get="/dashboard/activity/records"
        hx-target="#records"
        hx-trigger="change, submit"
        hx-push-url="false"
      >
        <label
          >model
          <select name="model">
            ${options(p.names.models, p.query.model)}
          </select></label
        >
        <label
          >key
          <select name="client">
            ${options(p.names.clients, p.query.client)}
          </select></label
        >
        <label
          >status <input name="status" size="6" placeholder="5xx" value="${p.query.status ?? ''}"
        /></label>
        <label
          ><input
            type="checkbox"
            name="incomplete"
            ${p.query.incompleteOnly === true ? html` checked` : ''}
          />
          incomplete</label
        >
      </form>
      <div
        id="records"
        hx-get="/dashboard/activity/records${qs}"
        hx-trigger="refresh"
        hx-swap="innerHTML"
        data-refresh="request"
      >
        ${p.records}
      </div>
    </section>`;
}

/** A captured body, indented when it is whole JSON (a body cut at the capture limit is not). */
function body(text: string | undefined): string {
  const scrubbed = scrubSecrets(text ?? '');
  try {
    return JSON.stringify(JSON.parse(scrubbed), null, 2);
  } catch {
    return scrubbed;
  }
}

/** One request's record: attempts, timings, tokens, captured bodies (already scrubbed; again here). */
export function requestDetail(r: AuditRecord | undefined, id: string): Markup {
  if (r === undefined) {
    return html`<section class="card">
      <h2>Request ${id}</h2>
      <p class="muted">Not among the recent requests.</p>
    </section>`;
  }
  const field = (label: string, value: string | number | undefined) =>
    value === undefined
      ? ''
      : html`<dt>${label}</dt>
          <dd>${value}</dd>`;
  return html`<section class="card">
    <h2>Request <code>${r.requestId}</code></h2>
    <dl class="detail">
      ${field('time', r.time)}${field('status', r.status)}${field('api', r.api)}${field('model', model(r))}
      ${field('backend', r.backend)}${field('client', r.client)}${field('stream', r.stream ? 'yes' : 'no')}
      ${field('complete', r.complete ? 'yes' : `no (${r.incomplete ?? 'unknown'})`)}${field('error', r.errorCode)}
      ${field('duration', formatMs(r.durationMs))}${field('first byte', formatMs(r.ttfbMs))}${field('first token', formatMs(r.ttftMs))}
      ${field('model wait', r.modelWaitMs === undefined ? undefined : formatMs(r.modelWaitMs))}${field('cold start', r.coldStart ? 'yes' : undefined)}
      ${field('bytes in / out', `${r.bytesIn} / ${r.bytesOut}`)}
      ${field('tokens', r.usage === undefined ? undefined : `input ${r.usage.input}, cache read ${r.usage.cacheRead}, cache write ${r.usage.cacheWrite}, output ${r.usage.output}`)}
    </dl>
    <h2>Attempts</h2>
    <table>
      <thead>
        <tr>
          <th>target</th>
          <th>backend</th>
          <th>outcome</th>
          <th>error</th>
          <th>duration</th>
        </tr>
      </thead>
      <tbody>
        ${r.attempts.map(
          (a) =>
            html`<tr>
              <td>${a.target}</td>
              <td>${a.backend}</td>
              <td>${a.outcome}</td>
              <td>${a.errorCode ?? ''}</td>
              <td>${formatMs(a.durationMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      r.capture === undefined
        ? html`<p class="muted">
            No bodies captured (audit.capture names the models and keys to capture).
          </p>`
        : html`<h2>Request body${r.capture.truncated ? ' (truncated)' : ''}</h2>
            <pre class="log">${body(r.capture.request)}</pre>
            <h2>Response body</h2>
            <pre class="log">${body(r.capture.response)}</pre>`
    }
    <p><a href="/dashboard/activity">← activity</a></p>
  </section>`;
}
