import { describe, expect, it } from 'vitest';
import { lineChart } from './svg-chart.js';

const at = (i: number) => i * 60_000;

describe('the SVG line chart', () => {
  it('draws one polyline per run of minutes with data, a dot for a lone minute', async () => {
    const svg = String(
      await lineChart('Requests', 'per minute', [
        {
          label: 'qwen',
          points: [
            { at: at(0), value: 1 },
            { at: at(1), value: 2 },
            { at: at(2), value: undefined },
            { at: at(3), value: 4 },
          ],
        },
      ]),
    );
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(1);
    // The y axis runs to a round maximum above the largest value.
    expect(svg).toMatch(/>\s*5\.0\s*<\/text/);
  });

  it('escapes model names', async () => {
    const svg = String(
      await lineChart('t', 'u', [{ label: '<script>x</script>', points: [{ at: 0, value: 1 }] }]),
    );
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});
