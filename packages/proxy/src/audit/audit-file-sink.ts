import { open, rm, stat } from 'node:fs/promises';
import { ensurePrivateDir } from '@mlx-gateway/shared/paths';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { auditFileName, dayBefore, listAuditFiles, utcDay } from './audit-files.js';

/** An append that failed after `written` of its bytes reached the file. */
export class PartialWriteError extends Error {
  constructor(
    readonly written: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PartialWriteError';
  }
}

/**
 * The audit directory as an append-only sink: appends go to the current file, a new file is
 * opened at each new UTC day and when the current one would pass `maxFileSizeBytes`, and files
 * of days older than `retainDays` are deleted when a file is opened. Files are private (0600,
 * in a 0700 directory): they name clients and models.
 */
export class AuditFileSink {
  private handle: FileHandle | undefined;
  private day = '';
  private seq = 0;
  private size = 0;

  constructor(
    private readonly dir: string,
    private readonly maxFileSizeBytes: number,
    private readonly retainDays: number,
  ) {}

  /** Appends all of `data` at wall time `now`; throws PartialWriteError when it could not. */
  async append(data: Buffer, now: number): Promise<void> {
    let written = 0;
    try {
      const handle = await this.fileFor(data.length, now);
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
        this.size += bytesWritten;
      }
    } catch (err) {
      // The handle may be broken (a removed directory, a full disk): open afresh next time.
      await this.close();
      throw new PartialWriteError(written, err);
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await handle.close().catch(() => undefined);
  }

  /** Deletes the files of days older than the retention; answers how many went. */
  async prune(now: number): Promise<number> {
    const oldest = dayBefore(now, this.retainDays - 1);
    let removed = 0;
    for (const file of await listAuditFiles(this.dir)) {
      if (file.day >= oldest) continue;
      await rm(file.path, { force: true });
      removed++;
    }
    return removed;
  }

  private async fileFor(bytes: number, now: number): Promise<FileHandle> {
    const day = utcDay(now);
    if (this.handle !== undefined && day === this.day) {
      if (this.size === 0 || this.size + bytes <= this.maxFileSizeBytes) return this.handle;
      await this.close();
      return this.openFile(day, this.seq + 1);
    }
    await this.close();
    // Made (or tightened) to 0700 like the home's other directories; rare, so sync is fine.
    ensurePrivateDir(this.dir);
    if (day !== this.day) await this.prune(now).catch(() => undefined);
    // After a restart, carry on in the day's last file while it has room.
    const last = (await listAuditFiles(this.dir)).filter((f) => f.day === day).pop();
    if (last === undefined) return this.openFile(day, 0);
    const size = await stat(last.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && size + bytes > this.maxFileSizeBytes) return this.openFile(day, last.seq + 1);
    return this.openFile(day, last.seq);
  }

  private async openFile(day: string, seq: number): Promise<FileHandle> {
    const handle = await open(join(this.dir, auditFileName(day, seq)), 'a', 0o600);
    this.size = (await handle.stat()).size;
    this.handle = handle;
    this.day = day;
    this.seq = seq;
    return handle;
  }
}
