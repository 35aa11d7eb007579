import type { SupervisorMetricsSnapshot } from './metrics-snapshot.js';
import { z } from 'zod';

/** Bumped on any incompatible change to the messages below. */
export const PROTOCOL_VERSION = 1;

export const ModelStateSchema = z.enum(['stopped', 'starting', 'ready', 'stopping', 'failed']);
export type ModelState = z.infer<typeof ModelStateSchema>;

export const OwnerSchema = z.enum(['gateway', 'operator']);
export type Owner = z.infer<typeof OwnerSchema>;

/** What the supervisor tells the world about one configured local model. */
export const ModelInfoSchema = z.object({
  name: z.string(),
  state: ModelStateSchema,
  /** Why the model is in this state (failure reason, stop reason). */
  reason: z.string().optional(),
  pid: z.number().int().optional(),
  port: z.number().int().optional(),
  /** http://127.0.0.1:<port> once a process runs. */
  baseUrl: z.string().optional(),
  owner: OwnerSchema.optional(),
  /** Epoch ms of the last state change. */
  since: z.number(),
  /** Epoch ms after which a failed model may be started again. */
  retryAt: z.number().optional(),
  leases: z.number().int(),
  /** Epoch ms the last lease ended (or the model became ready). */
  lastUsed: z.number().optional(),
  /** Resident memory of the whole process group, bytes, when measured. */
  memoryBytes: z.number().optional(),
  /** Epoch ms the model became ready. */
  readyAt: z.number().optional(),
  /** Epoch ms a start began. */
  startedAt: z.number().optional(),
  /**
   * Epoch ms at which the model is stopped for being idle, while that timer runs (a ready
   * gateway-owned model with no lease in flight); absent otherwise (busy, operator-owned, no
   * idle timeout).
   */
  idleStopAt: z.number().optional(),
  /**
   * Fingerprint of the model's config as this supervisor runs it (localModelFingerprint in
   * @mlx-gateway/shared/config): the proxy compares it with its own config's.
   */
  configFingerprint: z.string().optional(),
  /**
   * The memory the supervisor admits the model with (bytes): its measured footprint from its
   * last load, else an estimate (weights on disk) or the configured `memory:` hint.
   */
  footprintBytes: z.number().optional(),
  /** Where footprintBytes comes from. */
  footprintSource: z.enum(['measured', 'estimate', 'hint']).optional(),
  /** `pin: true`: never stopped when idle, never evicted. */
  pinned: z.boolean().optional(),
  /** Eviction priority (lower is evicted first; absent: 0). */
  priority: z.number().optional(),
  /** `preload: true`: started when the supervisor starts. */
  preload: z.boolean().optional(),
  /** Restarts because requests stalled while /health answered, since the supervisor started. */
  wedgedRestarts: z.number().int().optional(),
  /** Why the model was last restarted as wedged, and when (epoch ms). */
  wedgedReason: z.string().optional(),
  wedgedAt: z.number().optional(),
  /**
   * The turns of a model with `maxConcurrent`, shared by every proxy (in the `status` answer
   * only, not in events): requests served now, waiting in line, the longest wait of those
   * waiting (ms), and since the supervisor started those that waited, their waits in all (ms)
   * and those refused (line full or waited too long).
   */
  queue: z
    .object({
      maxConcurrent: z.number().int(),
      size: z.number().int(),
      active: z.number().int(),
      waiting: z.number().int(),
      oldestWaitMs: z.number(),
      waited: z.number().int(),
      waitedMs: z.number(),
      refused: z.number().int(),
    })
    .optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

export const SnapshotSchema = z.object({
  incarnation: z.string(),
  /** Sequence number of the last event published before this snapshot. */
  seq: z.number().int(),
  models: z.array(ModelInfoSchema),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

const modelName = z.string().min(1);

/** Commands of the control socket, one schema each, keyed by `cmd`. */
export const CommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('ping') }),
  /** Make sure a model is ready (starting it on demand, as the gateway); optionally take a lease in the same call. */
  z.object({
    cmd: z.literal('ensure'),
    model: modelName,
    lease: z.object({ id: z.string().min(1), holder: z.string().min(1) }).optional(),
  }),
  /** Operator start: the model is owned by the operator and never stopped when idle or evicted. */
  z.object({ cmd: z.literal('start'), model: modelName }),
  z.object({ cmd: z.literal('stop'), model: modelName }),
  /** Hand an operator-started model over to the gateway (it may then be stopped when idle). */
  z.object({ cmd: z.literal('promote'), model: modelName }),
  /** Clear a failed model's backoff so that the next request tries again at once. */
  z.object({ cmd: z.literal('clear'), model: modelName }),
  z.object({ cmd: z.literal('status') }),
  z.object({
    cmd: z.literal('logs'),
    model: modelName,
    lines: z.number().int().positive().max(10_000).optional(),
  }),
  z.object({
    cmd: z.literal('lease.acquire'),
    model: modelName,
    id: z.string().min(1),
    holder: z.string().min(1),
  }),
  z.object({ cmd: z.literal('lease.release'), id: z.string().min(1) }),
  /**
   * A turn of a model with `maxConcurrent` (one request to it): granted at once when one is
   * free, else after waiting in line (arrival order over every proxy) up to the model's
   * `queue.timeout`; refused (RATE_LIMITED) when the line is full or the wait too long.
   */
  z.object({
    cmd: z.literal('turn.acquire'),
    model: modelName,
    id: z.string().min(1),
    holder: z.string().min(1),
    /**
     * Re-declares a turn this proxy already holds (granted by an earlier supervisor run, or
     * expired here while its request still runs): counted as active at once, even above
     * `maxConcurrent`; new requests wait until enough turns come back.
     */
    held: z.boolean().optional(),
    /**
     * Re-declares a request that was waiting in line (ms it has waited so far): it takes its
     * place in line by arrival, and its queue timeout counts that wait.
     */
    waitedMs: z.number().nonnegative().finite().optional(),
  }),
  /** Gives a turn back, or takes a request that is still waiting out of the line. */
  z.object({ cmd: z.literal('turn.release'), id: z.string().min(1) }),
  /** Renew every lease (and turn) of a holder (a proxy process); leases not renewed expire. */
  z.object({ cmd: z.literal('lease.renew'), holder: z.string().min(1) }),
  z.object({ cmd: z.literal('shutdown') }),
  /** The supervisor's figures for the proxy's /metrics (see metrics-snapshot.ts). */
  z.object({ cmd: z.literal('metrics') }),
  /**
   * Re-read and validate the supervisor's config file and apply what changed (models added,
   * removed, restarted; settings changed in place); `dryRun` only reports the difference.
   */
  z.object({ cmd: z.literal('reload'), dryRun: z.boolean().optional() }),
  /**
   * A proxy saw a ready model's requests stall (first-byte or idle timeouts) several times in a
   * row: restart it. `pid`: the process the stalls were seen on; a report about an older
   * process, or while the model is not ready, changes nothing.
   */
  z.object({
    cmd: z.literal('wedged'),
    model: modelName,
    reason: z.string().min(1).max(2_000),
    pid: z.number().int().optional(),
  }),
]);
export type Command = z.infer<typeof CommandSchema>;
export type CommandName = Command['cmd'];

/** Result payloads, per command. */
export interface CommandResults {
  ping: { incarnation: string; pid: number; version: number };
  ensure: ModelInfo & { baseUrl: string };
  start: ModelInfo;
  stop: ModelInfo;
  promote: ModelInfo;
  clear: ModelInfo;
  status: Snapshot;
  logs: { model: string; lines: string[] };
  'lease.acquire': { id: string };
  'lease.release': { released: boolean };
  'lease.renew': { renewed: number; ttlMs: number };
  /** How long the request waited in line, ms (0: a turn was free). */
  'turn.acquire': { id: string; waitedMs: number };
  'turn.release': { released: boolean };
  shutdown: { stopping: true };
  metrics: SupervisorMetricsSnapshot;
  reload: ReloadReport;
  /** `restarted`: this report restarted the model (false: ignored, see the command). */
  wedged: ModelInfo & { restarted: boolean };
}

/** One setting whose value differs between the running config and the file. */
export interface ReloadSetting {
  /** Key path in the config file, like `supervisor.maxLoadedModels` or `models.qwen.idleTimeout`. */
  path: string;
  /** Why it needs a restart (only in `needsRestart`). */
  note?: string;
}

/** What happened to a model restarted by a reload (absent in a dry run). */
export interface ReloadRestart {
  model: string;
  /** The model was running and was stopped (after draining) then started with the new settings. */
  outcome: 'restarted' | 'took new settings' | 'failed';
  pid?: number;
  previousPid?: number;
  error?: string;
}

/** The answer to `reload`: what changed between the running config and the file. */
export interface ReloadReport {
  /** The file read. */
  file?: string;
  dryRun: boolean;
  /** Config generation in force after the reload (1 at start; +1 per applied reload). */
  generation: number;
  /** Whether anything differs. */
  changed: boolean;
  models: {
    added: string[];
    removed: string[];
    /** Local models whose launch settings (command line, environment, health path) changed. */
    restarted: string[];
    /** Models whose other settings changed (idle timeout, timeouts, aliases, ...): changed in place. */
    updated: string[];
    unchanged: string[];
  };
  /** Settings changed and applied without a restart. */
  applied: ReloadSetting[];
  /** Settings changed in the file that take effect only after `mlx-gateway down` + `up`. */
  needsRestart: ReloadSetting[];
  /** Per restarted model, what happened (applied reloads only). */
  restarts?: ReloadRestart[];
}

export const ErrorPayloadSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

/** A request on the wire: one JSON frame from DEALER to ROUTER. */
export const RequestEnvelopeSchema = z.object({
  v: z.number().int(),
  id: z.string().min(1),
  body: z.unknown(),
});
export type RequestEnvelope = { v: number; id: string; body: Command };

/** A reply on the wire: one JSON frame from ROUTER to DEALER. */
export const ReplyEnvelopeSchema = z.union([
  z.object({ v: z.number().int(), id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    v: z.number().int(),
    id: z.string(),
    ok: z.literal(false),
    error: ErrorPayloadSchema,
  }),
]);
export type ReplyEnvelope = z.infer<typeof ReplyEnvelopeSchema>;

/** Events published on the PUB socket: topic frame then one JSON frame. */
export const EventSchema = z.object({
  v: z.number().int(),
  incarnation: z.string(),
  seq: z.number().int().nonnegative(),
  at: z.number(),
  type: z.literal('model'),
  model: ModelInfoSchema,
});
export type SupervisorEvent = z.infer<typeof EventSchema>;
export const EVENT_TOPIC_MODEL = 'model';

/**
 * Published on the PUB socket under the topic `config` after a reload was applied: every proxy
 * re-reads its config file. Separate from model events: it does not advance their `seq`.
 */
export const ConfigEventSchema = z.object({
  v: z.number().int(),
  incarnation: z.string(),
  at: z.number(),
  type: z.literal('config'),
  /** The config generation now in force (grows by 1 per applied reload). */
  generation: z.number().int().positive(),
  /** The file the supervisor read. */
  file: z.string().optional(),
});
export type ConfigEvent = z.infer<typeof ConfigEventSchema>;
export const EVENT_TOPIC_CONFIG = 'config';
