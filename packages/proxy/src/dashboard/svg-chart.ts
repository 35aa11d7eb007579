import { html } from 'hono/html';
import type { ChartPoint } from './chart-series.js';
import type { Markup } from './layout.js';

export interface ChartLine {
  label: string;
  points: ChartPoint[];
}

/** Colours that read on both themes, one per model in turn. */
const COLOURS = ['#2f6fdf', '#e0702a', '#1f9d55', '#c2378b', '#7a5cd6', '#b59b12', '#12a3a3'];

const W = 480;
const H = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function label(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

/**
 * A line chart as inline SVG (no library, no script): one polyline per series, broken where a
 * minute has no data, with a y axis from 0 to a round maximum and the time span below.
 */
export function lineChart(title: string, unit: string, lines: ChartLine[]): Markup {
  const values = lines.flatMap((l) => l.points.map((p) => p.value ?? 0));
  const max = niceMax(Math.max(0, ...values));
  const count = Math.max(1, ...lines.map((l) => l.points.length));
  const x = (i: number): number =>
    PAD.left + (i / Math.max(1, count - 1)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const paths = lines.map((line, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    const runs: string[][] = [[]];
    line.points.forEach((p, i) => {
      if (p.value === undefined) {
        if ((runs.at(-1) as string[]).length > 0) runs.push([]);
        return;
      }
      (runs.at(-1) as string[]).push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
    });
    return runs
      .filter((r) => r.length > 0)
      .map((r) =>
        r.length === 1
          ? html`<circle
              cx="${r[0]?.split(',')[0]}"
              cy="${r[0]?.split(',')[1]}"
              r="2.5"
              fill="${colour}"
              ><title>${line.label}</title></circle
            >`
          : html`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${r.join(' ')}"
              ><title>${line.label}</title></polyline
            >`,
      );
  });
  const ticks = [0, 0.5, 1].map(
    (f) =>
      html`<line
          class="axis"
          x1="${PAD.left}"
          x2="${W - PAD.right}"
          y1="${y(max * f)}"
          y2="${y(max * f)}"
        /><text x="${PAD.left - 4}" y="${y(max * f) + 3}" text-anchor="end"
          >${label(max * f)}</text
        >`,
  );
  return html`<figure class="chart-box">
    <figcaption><strong>${title}</strong> <span class="muted">(${unit})</span></figcaption>
    <svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
      ${ticks}
      <text x="${PAD.left}" y="${H - 6}">−${count} min</text>
      <text x="${W - PAD.right}" y="${H - 6}" text-anchor="end">now</text>
      ${paths}
    </svg>
    <div class="legend">
      ${lines.map(
        (l, i) =>
          html`<span
            ><svg width="10" height="10">
              <rect width="10" height="10" fill="${COLOURS[i % COLOURS.length]}" />
            </svg>
            ${l.label}</span
          >`,
      )}
    </div>
  </figure>`;
}
