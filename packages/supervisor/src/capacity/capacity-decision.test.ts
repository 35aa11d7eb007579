import { describe, expect, it } from 'vitest';
import {
  decideCapacity,
  denialReason,
  type CapacityLimits,
  type Holder,
} from './capacity-decision.js';

const limits: CapacityLimits = { maxLoadedModels: 2, waitMs: 5_000 };
const holder = (name: string, fields: Partial<Holder> = {}): Holder => ({
  name,
  phase: 'ready',
  owner: 'gateway',
  leases: 0,
  lastUsed: 0,
  bytes: undefined,
  ...fields,
});
const request = { name: 'next', bytes: undefined };

describe('capacity decision', () => {
  it('grants when nothing is loaded, even over every limit', () => {
    expect(
      decideCapacity([], { name: 'huge', bytes: 1e12 }, { ...limits, memoryBudgetBytes: 1 }),
    ).toEqual({
      kind: 'grant',
    });
  });

  it('grants while under maxLoadedModels', () => {
    expect(decideCapacity([holder('a')], request, limits)).toEqual({ kind: 'grant' });
  });

  it('evicts the least recently used idle gateway model when full', () => {
    const holders = [holder('newer', { lastUsed: 20 }), holder('older', { lastUsed: 10 })];
    expect(decideCapacity(holders, request, limits)).toEqual({
      kind: 'evict',
      victim: 'older',
      reason: "evicted to make room for 'next'",
    });
  });

  it('never evicts a busy, operator-owned or not-ready model', () => {
    const holders = [
      holder('busy', { leases: 1, lastUsed: 1 }),
      holder('pinned', { owner: 'operator', lastUsed: 2 }),
      holder('loading', { phase: 'starting', lastUsed: 3 }),
      holder('idle', { lastUsed: 4 }),
    ];
    expect(decideCapacity(holders, request, { ...limits, maxLoadedModels: 4 })).toMatchObject({
      kind: 'evict',
      victim: 'idle',
    });
    expect(decideCapacity(holders.slice(0, 3), request, { ...limits, maxLoadedModels: 3 })).toEqual(
      {
        kind: 'wait',
      },
    );
  });

  it('evicts one model at a time: waits while one is stopping', () => {
    const holders = [holder('going', { phase: 'stopping' }), holder('idle')];
    expect(decideCapacity(holders, request, limits)).toEqual({ kind: 'wait' });
  });

  it('counts the memory budget with measured sizes; an unknown size is assumed to fit', () => {
    const budget = { ...limits, maxLoadedModels: 5, memoryBudgetBytes: 10_000 };
    const big = holder('big', { bytes: 8_000 });
    expect(decideCapacity([big], { name: 'other', bytes: undefined }, budget)).toEqual({
      kind: 'grant',
    });
    expect(decideCapacity([big], { name: 'other', bytes: 2_000 }, budget)).toEqual({
      kind: 'grant',
    });
    expect(decideCapacity([big], { name: 'other', bytes: 3_000 }, budget)).toMatchObject({
      kind: 'evict',
      victim: 'big',
    });
  });

  it('explains a refusal with the limit reached and what holds each model', () => {
    const holders = [
      holder('busy', { leases: 2 }),
      holder('one', { leases: 1 }),
      holder('pinned', { owner: 'operator' }),
      holder('going', { phase: 'stopping' }),
    ];
    expect(
      denialReason(holders, { name: 'late', bytes: undefined }, { ...limits, maxLoadedModels: 4 }),
    ).toBe(
      "cannot load 'late': maxLoadedModels=4 reached and no loaded model could be evicted within 5s; loaded: 'busy' (2 requests in flight), 'one' (1 request in flight), 'pinned' (started by the operator), 'going' (stopping)",
    );
    const budget = { ...limits, maxLoadedModels: 9, memoryBudgetBytes: 3 * 2 ** 20 };
    expect(denialReason([holder('a', { leases: 1 })], request, budget)).toContain(
      'memory budget of 3 MiB reached',
    );
  });
});
