import { describe, expect, it } from 'vitest';
import { DirectoryState } from './directory-state.js';
import type { ModelInfo, ModelState, SupervisorEvent } from './messages.js';
import { PROTOCOL_VERSION } from './messages.js';

const model = (name: string, state: ModelState): ModelInfo => ({
  name,
  state,
  since: 1,
  leases: 0,
});
const event = (incarnation: string, seq: number, info: ModelInfo): SupervisorEvent => ({
  v: PROTOCOL_VERSION,
  incarnation,
  seq,
  at: 1,
  type: 'model',
  model: info,
});

describe('DirectoryState', () => {
  it('ignores events until it has a snapshot', () => {
    const state = new DirectoryState();
    expect(state.classify(event('a', 1, model('m', 'ready')))).toBe('unsynced');
  });

  it('applies only events newer than the snapshot, in sequence', () => {
    const state = new DirectoryState();
    state.applySnapshot({ incarnation: 'a', seq: 5, models: [model('m', 'starting')] });
    expect(state.classify(event('a', 4, model('m', 'stopped')))).toBe('stale');
    expect(state.classify(event('a', 5, model('m', 'starting')))).toBe('stale');
    const next = event('a', 6, model('m', 'ready'));
    expect(state.classify(next)).toBe('apply');
    state.apply(next);
    expect(state.get('m')?.state).toBe('ready');
    expect(state.seq).toBe(6);
    expect(state.classify(next)).toBe('stale');
  });

  it('calls a skipped sequence number a gap', () => {
    const state = new DirectoryState();
    state.applySnapshot({ incarnation: 'a', seq: 5, models: [] });
    expect(state.classify(event('a', 7, model('m', 'ready')))).toBe('gap');
  });

  it('calls an event of another incarnation a new incarnation, whatever its seq', () => {
    const state = new DirectoryState();
    state.applySnapshot({ incarnation: 'a', seq: 5, models: [] });
    expect(state.classify(event('b', 6, model('m', 'ready')))).toBe('incarnation');
    expect(state.classify(event('b', 1, model('m', 'ready')))).toBe('incarnation');
  });

  it('reports which models a fresh snapshot changed or removed', () => {
    const state = new DirectoryState();
    state.applySnapshot({
      incarnation: 'a',
      seq: 1,
      models: [model('same', 'ready'), model('moved', 'starting'), model('gone', 'ready')],
    });
    const diff = state.applySnapshot({
      incarnation: 'b',
      seq: 0,
      models: [model('same', 'ready'), model('moved', 'ready'), model('new', 'stopped')],
    });
    expect(diff.changed.map((m) => m.name)).toEqual(['moved', 'new']);
    expect(diff.removed).toEqual(['gone']);
    expect(state.incarnation).toBe('b');
    expect(state.seq).toBe(0);
    expect(state.all().map((m) => m.name)).toEqual(['same', 'moved', 'new']);
  });
});
