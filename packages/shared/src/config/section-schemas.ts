import { z } from 'zod';
import { curveSchema } from './curve-fields.js';
import { healthPathField } from './local-fields.js';
import { onePerPass } from './one-per-pass.js';
import { bytes, duration, portRange, section } from './schema-fields.js';

// Each schema is built by a function, when a config is validated, and is garbage once that is
// over: a process keeps no schema objects while it serves (docs/benchmarks.md, issue 17).

export function timeoutsSchema() {
  return onePerPass('timeouts', () =>
    section({
      connect: duration().optional(),
      firstByte: duration().optional(),
      idle: duration().optional(),
      total: duration().optional(),
    }),
  );
}
export type RawTimeouts = z.output<ReturnType<typeof timeoutsSchema>>;

export function proxySchema() {
  return section({
    bodyLimit: bytes().optional(),
    maxJsonDepth: z.int().min(1).max(2_000).optional(),
    headersTimeout: duration().optional(),
    bodyTimeout: duration().optional(),
    heartbeat: duration().optional(),
    controlTimeout: duration().optional(),
    pool: section({
      connections: z.int().min(1).optional(),
      keepAlive: duration().optional(),
    }).nullish(),
  }).nullish();
}

/** `responses:` the Responses API's state: how long a stored response stays retrievable. */
export function responsesSchema() {
  return section({
    ttl: duration().optional(),
  }).nullish();
}

/** Endpoints are checked in compile-config (they need the home directory). */
export function supervisorSchema() {
  return section({
    control: z.string().optional(),
    events: z.string().optional(),
    curve: curveSchema().nullish(),
    maxLoadedModels: z.int().min(1).optional(),
    memoryBudget: bytes().optional(),
    keepModelsOnExit: z.boolean().optional(),
    ports: section({
      gateway: portRange().optional(),
      operator: portRange().optional(),
    }).nullish(),
    stopGrace: duration().optional(),
    drainTimeout: duration({ allowZero: true }).optional(),
    capacityWait: duration({ allowZero: true }).optional(),
    leaseTtl: duration().optional(),
    healthInterval: duration().optional(),
    /** Stalled requests in a row after which a ready local model is restarted (0 = never). */
    wedgedAfter: z.int().min(0).optional(),
    failureBackoff: section({
      initial: duration().optional(),
      max: duration().optional(),
    }).nullish(),
  }).nullish();
}

export function defaultsSchema() {
  return section({
    local: section({
      idleTimeout: duration({ allowZero: true }).optional(),
      startTimeout: duration().optional(),
      healthPath: healthPathField().optional(),
      timeouts: timeoutsSchema().nullish(),
    }).nullish(),
    remote: section({
      timeouts: timeoutsSchema().nullish(),
    }).nullish(),
  }).nullish();
}
export type RawDefaults = NonNullable<z.output<ReturnType<typeof defaultsSchema>>>;

/** What a model or a provider's models can do (`capabilities:`), declared where not known. */
export function capabilitiesSchema() {
  return onePerPass('capabilities', () =>
    section({
      chat: z.boolean().optional(),
      completions: z.boolean().optional(),
      embeddings: z.boolean().optional(),
      tools: z.boolean().optional(),
      vision: z.boolean().optional(),
      streamingUsage: z.boolean().optional(),
    }),
  );
}
