import { describe, expect, it } from 'vitest';
import {
  decideCapacity,
  denialReason,
  overBudgetVictims,
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

  it('admits a start with its footprint: a model that does not fit evicts before it spawns', () => {
    const budget = { ...limits, maxLoadedModels: 9, memoryBudgetBytes: 400 };
    const loaded = [holder('a', { bytes: 200, lastUsed: 1 }), holder('b', { bytes: 150 })];
    expect(decideCapacity(loaded, { name: 'c', bytes: 50 }, budget)).toEqual({ kind: 'grant' });
    expect(decideCapacity(loaded, { name: 'c', bytes: 51 }, budget)).toMatchObject({
      kind: 'evict',
      victim: 'b',
    });
  });

  it('evicts the lowest priority first, the least recently used among equals', () => {
    const holders = [
      holder('high', { priority: 10, lastUsed: 1 }),
      holder('low-recent', { priority: -1, lastUsed: 30 }),
      holder('low-old', { priority: -1, lastUsed: 20 }),
      holder('default', { lastUsed: 0 }),
    ];
    const full = { ...limits, maxLoadedModels: 4 };
    expect(decideCapacity(holders, request, full)).toMatchObject({ victim: 'low-old' });
    expect(
      decideCapacity(holders.slice(0, 2).concat(holders[3]!), request, {
        ...limits,
        maxLoadedModels: 3,
      }),
    ).toMatchObject({
      victim: 'low-recent',
    });
    expect(decideCapacity([holders[0]!, holders[3]!], request, limits)).toMatchObject({
      victim: 'default',
    });
  });

  it('never evicts a pinned model, and says so when it has to refuse', () => {
    const holders = [
      holder('pinned', { pinned: true, lastUsed: 0 }),
      holder('other', { lastUsed: 9 }),
    ];
    expect(decideCapacity(holders, request, limits)).toMatchObject({ victim: 'other' });
    expect(decideCapacity([holders[0]!], request, { ...limits, maxLoadedModels: 1 })).toEqual({
      kind: 'wait',
    });
    expect(denialReason([holders[0]!], request, { ...limits, maxLoadedModels: 1 })).toContain(
      "'pinned' (pinned)",
    );
  });

  it('over the budget: evicts idle unpinned gateway models in order until what is left fits', () => {
    const holders = [
      holder('busy', { bytes: 200, leases: 1 }),
      holder('pinned', { bytes: 200, pinned: true }),
      holder('old', { bytes: 100, lastUsed: 1 }),
      holder('new', { bytes: 100, lastUsed: 2 }),
      holder('operator', { bytes: 100, owner: 'operator' }),
    ];
    expect(overBudgetVictims(holders, 700)).toEqual([]);
    expect(overBudgetVictims(holders, 699)).toEqual(['old']);
    expect(overBudgetVictims(holders, 550)).toEqual(['old', 'new']);
    // Nothing else can go, however far over the budget.
    expect(overBudgetVictims(holders, 1)).toEqual(['old', 'new']);
    expect(overBudgetVictims(holders, undefined)).toEqual([]);
  });

  it('over the budget: a model already stopping counts as freed', () => {
    const holders = [
      holder('going', { bytes: 300, phase: 'stopping' }),
      holder('idle', { bytes: 300, lastUsed: 1 }),
      holder('newer', { bytes: 300, lastUsed: 2 }),
    ];
    expect(overBudgetVictims(holders, 600)).toEqual([]);
    expect(overBudgetVictims(holders, 400)).toEqual(['idle']);
  });

  it('over the budget: a model alone is never evicted, however large', () => {
    expect(overBudgetVictims([holder('huge', { bytes: 900 })], 400)).toEqual([]);
    const withBusy = [holder('idle', { bytes: 900 }), holder('busy', { bytes: 10, leases: 1 })];
    expect(overBudgetVictims(withBusy, 400)).toEqual(['idle']);
    const withStopping = [holder('idle', { bytes: 900 }), holder('going', { phase: 'stopping' })];
    expect(overBudgetVictims(withStopping, 400)).toEqual([]);
  });
});
