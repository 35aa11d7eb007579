import { isDeepStrictEqual } from 'node:util';
import type { ModelInfo, Snapshot, SupervisorEvent } from './messages.js';

/**
 * What to do with an event, given the last snapshot and the events applied since:
 * - `apply`: the next event in sequence;
 * - `stale`: already contained in the snapshot or applied (a duplicate or one that raced it);
 * - `gap`: events were missed: take a fresh snapshot;
 * - `incarnation`: published by another supervisor run: take a fresh snapshot;
 * - `unsynced`: no snapshot yet.
 */
export type EventVerdict = 'apply' | 'stale' | 'gap' | 'incarnation' | 'unsynced';

/** How a snapshot changed the mirror. */
export interface SnapshotDiff {
  /** Models new or different in the snapshot. */
  changed: ModelInfo[];
  /** Models that the snapshot no longer lists. */
  removed: string[];
}

/**
 * The pure core of the Clone pattern: a mirror of the supervisor's models, the incarnation it
 * came from and the sequence number it is current to.
 */
export class DirectoryState {
  private readonly models = new Map<string, ModelInfo>();
  private currentIncarnation: string | undefined;
  private currentSeq = 0;

  get incarnation(): string | undefined {
    return this.currentIncarnation;
  }

  get seq(): number {
    return this.currentSeq;
  }

  get(name: string): ModelInfo | undefined {
    return this.models.get(name);
  }

  all(): ModelInfo[] {
    return [...this.models.values()];
  }

  /** Replaces the mirror with a snapshot. */
  applySnapshot(snapshot: Snapshot): SnapshotDiff {
    const changed: ModelInfo[] = [];
    const listed = new Set<string>();
    for (const model of snapshot.models) {
      listed.add(model.name);
      const previous = this.models.get(model.name);
      if (previous === undefined || !isDeepStrictEqual(previous, model)) changed.push(model);
    }
    const removed = [...this.models.keys()].filter((name) => !listed.has(name));
    this.models.clear();
    for (const model of snapshot.models) this.models.set(model.name, model);
    this.currentIncarnation = snapshot.incarnation;
    this.currentSeq = snapshot.seq;
    return { changed, removed };
  }

  classify(event: SupervisorEvent): EventVerdict {
    if (this.currentIncarnation === undefined) return 'unsynced';
    if (event.incarnation !== this.currentIncarnation) return 'incarnation';
    if (event.seq <= this.currentSeq) return 'stale';
    if (event.seq === this.currentSeq + 1) return 'apply';
    return 'gap';
  }

  /** Applies an event that `classify` called `apply`. */
  apply(event: SupervisorEvent): ModelInfo {
    this.models.set(event.model.name, event.model);
    this.currentSeq = event.seq;
    return event.model;
  }
}
