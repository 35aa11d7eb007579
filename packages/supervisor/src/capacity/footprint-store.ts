import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The measured footprint of each model at its last load (the peak resident memory of its
 * process group while that run was up), kept in `<home>/footprints.json` so that the next
 * supervisor admits a model with it before the model runs again. Written atomically (temp file
 * and rename), only when a figure changes.
 */

export interface MeasuredFootprint {
  bytes: number;
  /** Epoch ms of the measurement. */
  at: number;
}

interface FootprintFile {
  version: 1;
  models: Record<string, MeasuredFootprint>;
}

export class FootprintStore {
  private readonly models = new Map<string, MeasuredFootprint>();
  /** The run whose peak each model's figure is (a new run replaces the figure). */
  private readonly runs = new Map<string, number>();

  /** Without a path the figures live in memory only (tests, a home that cannot be written). */
  constructor(
    private readonly path?: string,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.load();
  }

  get(model: string): MeasuredFootprint | undefined {
    return this.models.get(model);
  }

  /**
   * Records a measurement of `run`: the first of a run replaces the last run's figure, later
   * ones keep the peak. A zero (a group already gone) is no measurement.
   */
  record(model: string, run: number, bytes: number, at: number): void {
    if (!(bytes > 0)) return;
    const current = this.models.get(model);
    const sameRun = this.runs.get(model) === run;
    if (sameRun && current && current.bytes >= bytes) return;
    this.runs.set(model, run);
    this.models.set(model, { bytes, at });
    this.save();
  }

  private load(): void {
    if (this.path === undefined) return;
    let data: FootprintFile;
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8')) as FootprintFile;
    } catch {
      return; // none yet, or unreadable: every model is estimated again
    }
    for (const [model, f] of Object.entries(data.models ?? {})) {
      if (typeof f?.bytes === 'number' && f.bytes > 0 && typeof f.at === 'number')
        this.models.set(model, { bytes: f.bytes, at: f.at });
    }
  }

  private save(): void {
    if (this.path === undefined) return;
    const data: FootprintFile = { version: 1, models: Object.fromEntries(this.models) };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}
