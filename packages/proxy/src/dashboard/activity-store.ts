import type { AuditQuery } from '../audit/audit-query.js';
import { matchesQuery, readLastRecords } from '../audit/audit-query.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { EventHub } from '../events/event-hub.js';

/** Records kept in memory for the activity page (newest last). */
const KEEP = 1_000;

/**
 * The dashboard's view of the audit stream: the records of requests that ended, newest first,
 * from the live event hub (subscribed when the dashboard first opens, with the hub's replay)
 * and, once at that moment, the audit files' last records. Bounded; a request is kept once.
 */
export class ActivityStore {
  private readonly records: AuditRecord[] = [];
  private readonly ids = new Set<string>();
  private readonly listeners = new Set<(record: AuditRecord) => void>();
  private unsubscribe: (() => void) | undefined;

  /** Follows the hub from now (after replaying what it still holds). */
  follow(hub: EventHub): void {
    this.unsubscribe = hub.subscribe((event) => {
      if (event.event.type === 'request.ended') this.add(event.event.record);
    }, 0);
  }

  /** Loads the audit files' last records (before any live one, so order stays by time). */
  async backfill(dir: string, limit = 200): Promise<void> {
    const old = await readLastRecords(dir, {}, limit).catch(() => []);
    const fresh = old.filter((r) => !this.ids.has(r.requestId));
    for (const r of fresh) this.ids.add(r.requestId);
    this.records.unshift(...fresh);
    this.records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    this.trim();
  }

  add(record: AuditRecord): void {
    if (this.ids.has(record.requestId)) return;
    this.ids.add(record.requestId);
    this.records.push(record);
    this.trim();
    for (const listener of this.listeners) listener(record);
  }

  /** Called with every record added from now on; returns the unsubscribe function. */
  onRecord(listener: (record: AuditRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest `limit` records matching `query`, newest first. */
  query(query: AuditQuery, limit = 100): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i--) {
      const record = this.records[i] as AuditRecord;
      if (matchesQuery(record, query)) out.push(record);
    }
    return out;
  }

  get(requestId: string): AuditRecord | undefined {
    return this.records.find((r) => r.requestId === requestId);
  }

  /** The model and client names seen, for the filter lists. */
  names(): { models: string[]; clients: string[] } {
    const models = new Set<string>();
    const clients = new Set<string>();
    for (const r of this.records) {
      if (r.model !== undefined) models.add(r.model);
      if (r.resolvedModel !== undefined) models.add(r.resolvedModel);
      if (r.client !== undefined) clients.add(r.client);
    }
    return { models: [...models].sort(), clients: [...clients].sort() };
  }

  close(): void {
    this.unsubscribe?.();
  }

  private trim(): void {
    while (this.records.length > KEEP) {
      const dropped = this.records.shift();
      if (dropped !== undefined) this.ids.delete(dropped.requestId);
    }
  }
}
