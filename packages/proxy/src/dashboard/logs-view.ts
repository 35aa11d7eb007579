import { html } from 'hono/html';
import type { LogSource } from './log-follow.js';
import type { Markup } from './layout.js';

/** The logs page: a picker of sources and the followed log (filled live by dashboard.js). */
export function logsPage(sources: LogSource[], current: LogSource | undefined): Markup {
  return html`<section class="card">
    <h2>Logs</h2>
    <form class="filters" method="get" action="/dashboard/logs">
      <label
        >log
        <select name="source" data-autosubmit>
          ${sources.map(
            (s) =>
              html`<option value="${s.id}" ${s.id === current?.id ? html` selected` : ''}>
                ${s.label}
              </option>`,
          )}
        </select></label
      >
      <noscript><button type="submit">show</button></noscript>
      <label><input type="checkbox" id="log-follow" checked /> follow</label>
    </form>
    ${
      current === undefined
        ? html`<p class="muted">No log to show.</p>`
        : html`<pre class="log" id="log" data-log-source="${current.id}"></pre>`
    }
  </section>`;
}
