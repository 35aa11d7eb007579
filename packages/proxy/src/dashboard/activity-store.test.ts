import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/audit-record.js';
import { EventHub } from '../events/event-hub.js';
import { activityQuery } from './activity-view.js';
import { ActivityStore } from './activity-store.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function record(id: string, at: string, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    v: 1,
    time: at,
    requestId: id,
    api: 'openai.chat',
    stream: false,
    model: 'qwen',
    attempts: [],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 10,
    bytesIn: 1,
    bytesOut: 1,
    ...fields,
  };
}

describe('the activity store', () => {
  it('keeps the hub replay and live ends, newest first, each request once, with filters', () => {
    const hub = new EventHub();
    hub.publish({ type: 'request.ended', record: record('a', '2026-12-04T10:00:00Z') });
    const store = new ActivityStore();
    const seen: string[] = [];
    store.onRecord((r) => seen.push(r.requestId));
    store.follow(hub);
    hub.publish({
      type: 'request.ended',
      record: record('b', '2026-12-04T10:00:01Z', { status: 502, client: 'ci' }),
    });
    hub.publish({
      type: 'request.ended',
      record: record('c', '2026-12-04T10:00:02Z', {
        complete: false,
        incomplete: 'client_closed',
        resolvedModel: 'qwen-cloud',
      }),
    });
    hub.publish({ type: 'model.state', model: 'qwen', state: 'ready', at: 0 });
    store.add(record('c', '2026-12-04T10:00:02Z'));
    expect(seen).toEqual(['a', 'b', 'c']);
    const ids = (q: Record<string, string>) =>
      store.query(activityQuery(q)).map((r) => r.requestId);
    expect(ids({})).toEqual(['c', 'b', 'a']);
    expect(ids({ status: '5xx' })).toEqual(['b']);
    expect(ids({ status: 'error' })).toEqual(['b']);
    expect(ids({ client: 'ci' })).toEqual(['b']);
    expect(ids({ incomplete: 'on' })).toEqual(['c']);
    expect(ids({ model: 'qwen-cloud' })).toEqual(['c']);
    expect(ids({ status: 'nonsense' })).toEqual(['c', 'b', 'a']);
    expect(store.names()).toEqual({ models: ['qwen', 'qwen-cloud'], clients: ['ci'] });
    store.close();
  });

  it('adds the audit files records before the live ones, without doubles', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-activity-'));
    const lines = [
      record('old1', '2026-12-04T09:00:00.000Z'),
      record('old2', '2026-12-04T09:30:00.000Z'),
      record('live', '2026-12-04T10:00:00.000Z'),
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    await writeFile(join(dir, 'audit-2026-12-04.jsonl'), `${lines}\n`);
    const store = new ActivityStore();
    store.add(record('live', '2026-12-04T10:00:00.000Z'));
    await store.backfill(dir);
    expect(store.query({}).map((r) => r.requestId)).toEqual(['live', 'old2', 'old1']);
    expect(store.get('old1')?.time).toBe('2026-12-04T09:00:00.000Z');
  });
});
