import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { AuditRecord } from './audit-record.js';
import { compareAuditFiles, listAuditFiles } from './audit-files.js';
import type { AuditFile } from './audit-files.js';
import { parseAuditLine } from './audit-query.js';

/**
 * Follows the audit directory like `tail -f`: every record appended from now on is handed to
 * `onRecord`, across rotations (a newer file is read from its start once the current one is
 * read to its end). Woken by file-system events, with a slow re-check as a safety net for
 * file systems that do not report them.
 */
export class AuditTail {
  private file: AuditFile | undefined;
  private offset = 0;
  private partial = '';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly onRecord: (record: AuditRecord) => void,
    private readonly recheckMs = 1_000,
  ) {}

  /** Starts at the current end of the newest file. */
  async start(): Promise<void> {
    const files = await listAuditFiles(this.dir);
    this.file = files.at(-1);
    if (this.file !== undefined) this.offset = await sizeOf(this.file.path);
    this.watchDir();
    this.timer = setInterval(() => this.poke(), this.recheckMs);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    return this.running;
  }

  private watchDir(): void {
    if (this.watcher !== undefined) return;
    try {
      this.watcher = watch(this.dir, () => this.poke());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // The directory does not exist yet: the re-check watches again once it does.
    }
  }

  private poke(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = this.readNew()
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async readNew(): Promise<void> {
    this.watchDir();
    for (;;) {
      if (this.file !== undefined) await this.readRest(this.file);
      const current = this.file;
      const files = await listAuditFiles(this.dir);
      const next =
        current === undefined ? files[0] : files.find((f) => compareAuditFiles(f, current) > 0);
      if (next === undefined) return;
      // The writer finished the current file before it made the next one: what it appended
      // since the read above is still to take.
      if (current !== undefined) await this.readRest(current);
      this.file = next;
      this.offset = 0;
      this.partial = '';
    }
  }

  private async readRest(file: AuditFile): Promise<void> {
    let handle;
    try {
      handle = await open(file.path, 'r');
    } catch {
      return;
    }
    try {
      const size = (await handle.stat()).size;
      if (size < this.offset) this.offset = 0;
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.partial + buf.toString('utf8', 0, bytesRead)).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        const record = parseAuditLine(line);
        if (record !== undefined && !this.stopped) this.onRecord(record);
      }
    } finally {
      await handle.close();
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}
