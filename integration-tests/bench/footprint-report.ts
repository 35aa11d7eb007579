import type { TargetCheck } from './bench-report.js';
import { formatColdStart, type ColdStart } from './cold-start.js';
import { formatStorm, type StormResult } from './disconnect-storm.js';
import {
  EARLY_IDLE_MS,
  IDLE_AFTER_MS,
  formatMemory,
  type GatewayMemory,
} from './gateway-memory.js';

/** What the gateway itself costs: its resident memory through the run, and cold-start overhead. */
export interface Footprint {
  /** IDLE_AFTER_MS after the gateway's last request (the figure checked). */
  idle: GatewayMemory;
  /** EARLY_IDLE_MS after it. */
  idleEarly: GatewayMemory;
  endOfLoad: GatewayMemory;
  /** After the load, once settled (or at the end of the wait). */
  settled: GatewayMemory;
  settleMs: number;
  /** 1,000 streams at once, most cut off by their client: memory right after, and settled. */
  storm: StormResult & { after: GatewayMemory; settled: GatewayMemory; settleMs: number };
  coldStarts: ColdStart[];
  /** 100 requests sent straight to a fresh stand-in when its /health first answers. */
  directColdStart?: ColdStart;
}

/** Issue 17's budgets. */
export const IDLE_BUDGET_MB = 140;
export const LOAD_BUDGET_MB = 200;
export const COLD_START_BUDGET_MS = 20;

/** Where memory must settle back to after a load: within 10% plus 10 MB of idle. */
export function settleBound(idle: GatewayMemory): number {
  return idle.total * 1.1 + 10;
}

export function footprintLines(f: Footprint): string[] {
  return [
    'Gateway footprint (resident memory per process):',
    `  idle, local model ready:  ${formatMemory(f.idle)} (${IDLE_AFTER_MS / 1000} s after its last request)`,
    `    ${EARLY_IDLE_MS / 1000} s after it:          ${formatMemory(f.idleEarly)}`,
    `  at the end of the load:   ${formatMemory(f.endOfLoad)}`,
    `  ${(f.settleMs / 1000).toFixed(0)} s after the load:     ${formatMemory(f.settled)}`,
    `  ${formatStorm(f.storm)}:`,
    `    right after:            ${formatMemory(f.storm.after)}`,
    `    ${(f.storm.settleMs / 1000).toFixed(0)} s after:               ${formatMemory(f.storm.settled)}`,
    'Cold start (stand-in model, gateway overhead):',
    ...f.coldStarts.map((c) => `  ${formatColdStart(c)}`),
    ...(f.directColdStart === undefined
      ? []
      : [`  without the gateway, ${formatColdStart(f.directColdStart)}`]),
  ];
}

export function footprintChecks(f: Footprint): TargetCheck[] {
  const mb = (v: number): string => `${v.toFixed(1)} MB`;
  return [
    {
      target: `gateway processes idle <= ${IDLE_BUDGET_MB} MB`,
      measured: mb(f.idle.total),
      met: f.idle.total <= IDLE_BUDGET_MB,
    },
    {
      target: `gateway processes at the end of the load <= ${LOAD_BUDGET_MB} MB`,
      measured: mb(f.endOfLoad.total),
      met: f.endOfLoad.total <= LOAD_BUDGET_MB,
    },
    {
      target: 'memory settles within 10% + 10 MB of idle after the load',
      measured: `${mb(f.settled.total)} (bound ${mb(settleBound(f.idle))})`,
      met: f.settled.total <= settleBound(f.idle),
    },
    {
      target: 'memory settles within 10% + 10 MB of idle after 1,000 streams cut off at random',
      measured: `${mb(f.storm.settled.total)} (bound ${mb(settleBound(f.idle))})`,
      met: f.storm.settled.total <= settleBound(f.idle),
    },
    {
      target: 'every stream of the 1,000 answered until its client left',
      measured: `${f.storm.failed} failed`,
      met: f.storm.failed === 0,
    },
    ...f.coldStarts.flatMap((c) => coldStartChecks(c, f.directColdStart)),
  ];
}

/**
 * Issue 17, item 2: the model is declared ready within 20 ms of its /health first answering.
 * One request waiting: its first byte too. With 100 waiting, the first byte is what the model
 * server takes to answer 100 new connections at once (measured without the gateway in the same
 * run): the gateway's part is its first byte minus that one.
 */
function coldStartChecks(c: ColdStart, direct: ColdStart | undefined): TargetCheck[] {
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const checks: TargetCheck[] = [];
  if (c.detectedMs !== undefined) {
    checks.push({
      target: `cold start with ${c.waiting} waiting: model declared ready <= ${COLD_START_BUDGET_MS} ms after /health first answered`,
      measured: ms(c.detectedMs),
      met: c.detectedMs <= COLD_START_BUDGET_MS,
    });
  }
  if (c.waiting === 1 || direct === undefined) {
    checks.push({
      target: `cold start with ${c.waiting} waiting: first byte <= ${COLD_START_BUDGET_MS} ms after /health first answered`,
      measured: ms(c.firstMs),
      met: c.firstMs <= COLD_START_BUDGET_MS,
    });
  } else {
    const added = c.firstMs - direct.firstMs;
    checks.push({
      target: `cold start with ${c.waiting} waiting: first byte <= ${COLD_START_BUDGET_MS} ms after the model server's own (${ms(direct.firstMs)} without the gateway)`,
      measured: `${ms(c.firstMs)} (${added >= 0 ? '+' : ''}${ms(added)})`,
      met: added <= COLD_START_BUDGET_MS,
    });
  }
  return checks;
}
