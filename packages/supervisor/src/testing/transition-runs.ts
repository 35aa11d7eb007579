import type {
  Effect,
  LifecycleEvent,
  LifecycleSettings,
  ModelStatus,
} from '../lifecycle/model-state.js';
import { DEFAULT_PROBE, initialStatus, transition } from '../lifecycle/model-state.js';

/** Shared by the transition tests: settings, a runner of event sequences, effect matchers. */

export const cfg: LifecycleSettings = {
  startTimeoutMs: 300_000,
  idleTimeoutMs: 600_000,
  stopGraceMs: 10_000,
  drainTimeoutMs: 30_000,
  healthIntervalMs: 30_000,
  failureBackoff: { initialMs: 5_000, maxMs: 300_000 },
  ...DEFAULT_PROBE,
};

/** Runs events through the machine from an initial state, collecting effects per step. */
export function run(
  events: LifecycleEvent[],
  start: ModelStatus = initialStatus(0),
  now = 1_000,
  settings = cfg,
) {
  let status = start;
  const steps: Effect[][] = [];
  for (const e of events) {
    const t = transition(status, e, now, settings);
    status = t.status;
    steps.push(t.effects);
  }
  return { status, steps, last: steps[steps.length - 1] ?? [] };
}

export const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
export const has = (effects: Effect[], match: Partial<Effect>) =>
  effects.some((e) =>
    Object.entries(match).every(([k, v]) => (e as Record<string, unknown>)[k] === v),
  );

export const toReady: LifecycleEvent[] = [
  { type: 'ensure', owner: 'gateway' },
  { type: 'capacityGranted' },
  { type: 'spawned', run: 1, pid: 100, port: 10300 },
  { type: 'probeResult', run: 1, ok: true },
];
export const ready = () => run(toReady).status;
