import type { ModelInfo, SupervisorClient } from '@mlx-gateway/protocol';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { ago } from './format.js';

/** Where progress goes: a terminal gets one line rewritten in place, anything else plain lines. */
export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** The progress line: the model, the time since its start began and its last log line. */
export function progressLine(
  model: string,
  elapsedMs: number,
  lastLine: string | undefined,
): string {
  const log = lastLine?.trim();
  return `starting ${model}: ${ago(0, elapsedMs)}${log ? `  ${log}` : ''}`;
}

/** Cuts a line to the terminal width so that `\r` rewrites it whole. */
function fit(line: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 1);
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Asked once per tick, startedAt first, then lastLine. */
export interface ProgressSource {
  /** Epoch ms the model's current start began, when the supervisor says. */
  startedAt(): Promise<number | undefined>;
  /** What the start is doing: the model's last log line, or that it waits; undefined when unknown. */
  lastLine(): Promise<string | undefined>;
}

/** What the progress line says before the process exists: a start waits for capacity first. */
export const WAITING_FOR_CAPACITY =
  'waiting for capacity (memory budget, loaded models) before it spawns';

/**
 * The supervisor as a progress source: the `status` and `logs` commands, one short call each.
 * Log lines are shown only once this start's process runs: before, the log's last lines are
 * those of an earlier run.
 */
export function supervisorProgress(client: SupervisorClient, model: string): ProgressSource {
  let info: ModelInfo | undefined;
  return {
    async lastLine() {
      if (info?.state !== 'starting') return undefined;
      if (info.pid === undefined) return WAITING_FOR_CAPACITY;
      const { lines } = await client.request({ cmd: 'logs', model, lines: 1 });
      const line = lines.at(-1);
      return line === undefined ? undefined : scrubSecrets(line);
    },
    async startedAt() {
      const snapshot = await client.request({ cmd: 'status' });
      info = snapshot.models.find((m) => m.name === model);
      return info?.state === 'starting' ? info.startedAt : undefined;
    },
  };
}

export interface ProgressOptions {
  model: string;
  source: ProgressSource;
  out: ProgressOutput;
  /** Epoch ms; default Date.now. */
  now?: () => number;
  /** How often the source is asked, ms (default 500). */
  intervalMs?: number;
}

/**
 * Shows a model start while it runs: on a terminal one line, rewritten at each tick, with the
 * elapsed time and the last log line; elsewhere a plain line each time the log line changes
 * (a log file or CI output is not flooded with timer ticks). `stop()` clears the line.
 */
export class StartProgress {
  private readonly began: number;
  private startedAt?: number;
  private last?: string;
  private shownLast?: string;
  private drawn = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.began = this.now();
  }

  start(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.options.intervalMs ?? 500);
  }

  /** Asks the source once and shows the result. Errors (a busy supervisor) skip a tick. */
  async tick(): Promise<void> {
    const { source } = this.options;
    // The status first: it says whether this start's process runs yet (see supervisorProgress).
    const startedAt = await source.startedAt().catch(() => this.startedAt);
    const line = await source.lastLine().catch(() => this.last);
    this.last = line ?? this.last;
    this.startedAt = startedAt ?? this.startedAt;
    this.render();
  }

  render(): void {
    const { out, model } = this.options;
    const elapsed = this.now() - (this.startedAt ?? this.began);
    const line = progressLine(model, elapsed, this.last);
    if (out.isTTY) {
      out.write(`\r\x1b[2K${fit(line, out.columns)}`);
      this.drawn = true;
    } else if (this.last !== this.shownLast) {
      this.shownLast = this.last;
      out.write(`${line}\n`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    if (this.drawn) this.options.out.write('\r\x1b[2K');
  }
}
