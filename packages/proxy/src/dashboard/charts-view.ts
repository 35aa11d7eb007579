import { html } from 'hono/html';
import type { ChartMetric, ChartSeries } from './chart-series.js';
import type { Markup } from './layout.js';
import { lineChart } from './svg-chart.js';

const CHARTS: Array<[ChartMetric, string, string]> = [
  ['rps', 'Requests per second', 'per minute'],
  ['ttft', 'Time to first token', 'ms, mean per minute'],
  ['tps', 'Tokens per second', 'output tokens over generation time'],
];

/** The three charts over the last hour, one line per model. */
export function chartsGrid(series: ChartSeries): Markup {
  const models = series.models();
  if (models.length === 0) {
    return html`<p class="muted">No requests in the last hour.</p>`;
  }
  return html`<div class="charts">
    ${CHARTS.map(([metric, title, unit]) =>
      lineChart(
        title,
        unit,
        models.map((m) => ({ label: m, points: series.points(m, metric) })),
      ),
    )}
  </div>`;
}

export function chartsPage(grid: Markup): Markup {
  return html`<section class="card">
    <h2>The last hour, per model</h2>
    <div
      id="charts"
      hx-get="/dashboard/charts/grid"
      hx-trigger="refresh"
      hx-swap="innerHTML"
      data-refresh="request"
    >
      ${grid}
    </div>
  </section>`;
}
