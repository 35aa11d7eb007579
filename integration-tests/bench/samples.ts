import type { Summary } from './load-protocol.js';

/** A growing list of measurements (milliseconds) and their distribution. */
export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  get count(): number {
    return this.size;
  }

  add(value: number): void {
    if (this.size === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.size++] = value;
  }

  summary(): Summary {
    const sorted = this.values.slice(0, this.size).sort();
    const n = sorted.length;
    const at = (q: number): number =>
      n === 0 ? 0 : (sorted[Math.min(n - 1, Math.floor(q * n))] ?? 0);
    let total = 0;
    for (const v of sorted) total += v;
    return {
      count: n,
      mean: n === 0 ? 0 : total / n,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: n === 0 ? 0 : (sorted[n - 1] ?? 0),
    };
  }
}
