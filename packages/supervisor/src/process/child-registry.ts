import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Owner } from '@mlx-gateway/protocol';

/** What a supervisor remembers on disk about a child it started, to adopt or reap it later. */
export interface ChildRecord {
  model: string;
  pid: number;
  /** Process start time as read from the OS: with the pid, the identity of the process. */
  startTime: string;
  commandLine: string;
  port: number;
  owner: Owner;
  startedAt: number;
  /** configFingerprint() of the model config the child was started with. */
  fingerprint: string;
}

interface RegistryFile {
  version: 1;
  children: ChildRecord[];
}

/** The registry file, rewritten atomically (temp file + rename) on every change. */
export class ChildRegistry {
  private children = new Map<string, ChildRecord>();

  constructor(private readonly path: string) {}

  /** Reads what a previous supervisor left; a missing or unreadable file means none. */
  load(): ChildRecord[] {
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as RegistryFile;
      return Array.isArray(data.children)
        ? data.children.filter((c) => Number.isInteger(c.pid) && c.pid > 1)
        : [];
    } catch {
      return [];
    }
  }

  set(record: ChildRecord): void {
    this.children.set(record.model, record);
    this.save();
  }

  update(model: string, patch: Partial<ChildRecord>): void {
    const current = this.children.get(model);
    if (!current) return;
    this.children.set(model, { ...current, ...patch });
    this.save();
  }

  delete(model: string): void {
    if (this.children.delete(model)) this.save();
  }

  /** Replaces the content (after adoption decided what is still ours). */
  reset(records: ChildRecord[]): void {
    this.children = new Map(records.map((r) => [r.model, r]));
    this.save();
  }

  private save(): void {
    const data: RegistryFile = { version: 1, children: [...this.children.values()] };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
