import { formatMemory } from '@mlx-gateway/shared/units';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export type PageName = 'models' | 'activity' | 'logs' | 'charts' | 'config';

const PAGES: Array<[PageName, string]> = [
  ['models', 'Models'],
  ['activity', 'Activity'],
  ['logs', 'Logs'],
  ['charts', 'Charts'],
  ['config', 'Config'],
];

export interface PageFrame {
  page: PageName;
  csrf: string;
  /** Epoch ms when rendered (the browser's clocks count from it). */
  now: number;
}

/** The page around every view: navigation, theme toggle, the CSRF token, htmx and our script. */
export function layout(frame: PageFrame, title: string, content: Markup): Markup {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${frame.csrf}" />
        <title>${title} · mlx-gateway</title>
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
        <script src="/dashboard/assets/htmx.min.js" defer></script>
        <script src="/dashboard/assets/dashboard.js" defer></script>
      </head>
      <body data-server-now="${frame.now}" data-page="${frame.page}">
        <header>
          <h1><span class="live-dot" title="live updates"></span>mlx-gateway</h1>
          <nav>
            ${PAGES.map(
              ([name, label]) =>
                html`<a
                  href="/dashboard/${name}"
                  ${name === frame.page ? html` aria-current="page"` : ''}
                  >${label}</a
                >`,
            )}
          </nav>
          <span class="spacer"></span>
          <button type="button" data-theme-toggle title="light or dark">Theme</button>
        </header>
        <main>${content}</main>
      </body>
    </html>`;
}

/** The login form for a caller from elsewhere than loopback (the operator key). */
export function loginPage(problem?: string): Markup {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Log in · mlx-gateway</title>
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css" />
      </head>
      <body>
        <main>
          <section class="card">
            <h2>mlx-gateway dashboard</h2>
            <p class="muted">
              This dashboard opens from elsewhere than the gateway's machine with the operator key
              (MLX_GATEWAY_OPERATOR_KEY), never with a client key.
            </p>
            ${problem === undefined ? '' : html`<p class="status-error">${problem}</p>`}
            <form method="post" action="/dashboard/login">
              <input
                type="password"
                name="key"
                autocomplete="current-password"
                placeholder="operator key"
                required
              />
              <button type="submit">Log in</button>
            </form>
          </section>
        </main>
      </body>
    </html>`;
}

/** Memory as the CLI's `status` shows it (formatMemory); a dash when not measured. */
export function formatBytes(bytes: number | undefined): string {
  return bytes === undefined ? '–' : formatMemory(bytes);
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A time of day in UTC (the dashboard runs where the gateway runs; UTC keeps it unambiguous). */
export function formatTime(epochMs: number | undefined): string {
  if (epochMs === undefined) return '–';
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** A duration the browser keeps counting (elapsed since `epochMs`). */
export function since(epochMs: number | undefined, now: number): Markup {
  if (epochMs === undefined) return html`–`;
  return html`<span data-since="${epochMs}">${formatMs(now - epochMs)}</span>`;
}

/** A countdown the browser keeps counting (until `epochMs`). */
export function until(epochMs: number, now: number): Markup {
  return html`<span data-until="${epochMs}">${formatMs(Math.max(0, epochMs - now))}</span>`;
}
