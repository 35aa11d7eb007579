import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { localModels } from './models-view.js';

/** A log the dashboard can show: a model's, or one of the gateway's own. */
export interface LogSource {
  id: string;
  label: string;
  file: string;
}

/** The model log's file name, as the supervisor names it (process/model-log.ts). */
function modelLogName(model: string): string {
  return `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.log`;
}

/** Every log the dashboard offers: the configured local models', then proxy.log and supervisor.log. */
export function logSources(config: GatewayConfig): LogSource[] {
  const dir = gatewayPaths(config.home).logsDir;
  return [
    ...localModels(config).map((m) => ({
      id: `model:${m.name}`,
      label: m.name,
      file: join(dir, modelLogName(m.name)),
    })),
    { id: 'gateway:proxy', label: 'proxy (gateway)', file: join(dir, 'proxy.log') },
    { id: 'gateway:supervisor', label: 'supervisor (gateway)', file: join(dir, 'supervisor.log') },
  ];
}

/** How much of a log is shown when it is opened. */
const TAIL_BYTES = 64 * 1024;
/** The most one read takes (a fast-growing log is sent in pieces). */
const CHUNK_BYTES = 256 * 1024;

/**
 * Follows a log file as `tail -f` does: first its last 64 KiB (from a line start), then what
 * is appended, checked every `pollMs`; a file cut shorter (rotated, truncated) is read again
 * from its start. Text is handed on in whole lines; `stop()` ends it.
 */
export class LogFollower {
  private position = -1;
  private partial = '';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reading = false;

  constructor(
    private readonly file: string,
    private readonly onText: (text: string) => void,
    private readonly pollMs = 250,
  ) {}

  async start(): Promise<void> {
    const size = await fileSize(this.file);
    this.position = Math.max(0, size - TAIL_BYTES);
    const skipPartialLine = this.position > 0;
    await this.read(skipPartialLine);
    this.timer = setInterval(() => void this.read(false), this.pollMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async read(skipFirstLine: boolean): Promise<void> {
    if (this.reading || this.stopped) return;
    this.reading = true;
    try {
      const size = await fileSize(this.file);
      if (size < this.position) {
        this.position = 0;
        this.partial = '';
      }
      while (size > this.position && !this.stopped) {
        const length = Math.min(CHUNK_BYTES, size - this.position);
        const text = await readRange(this.file, this.position, length);
        this.position += length;
        let chunk = this.partial + text;
        if (skipFirstLine) {
          const nl = chunk.indexOf('\n');
          chunk = nl < 0 ? '' : chunk.slice(nl + 1);
          skipFirstLine = false;
        }
        const end = chunk.lastIndexOf('\n');
        this.partial = end < 0 ? chunk : chunk.slice(end + 1);
        if (end >= 0) this.onText(chunk.slice(0, end + 1));
      }
    } finally {
      this.reading = false;
    }
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function readRange(file: string, position: number, length: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
