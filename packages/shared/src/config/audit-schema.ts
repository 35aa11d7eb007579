import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { bytes, nonEmptyString, section } from './schema-fields.js';

/**
 * The `audit:` and `metrics:` sections: one JSON line per request in `<home>/audit`, and the
 * Prometheus series of the proxy. Both are on by default; docs/observability.md describes them.
 */
export function auditSchema() {
  return section({
    enabled: z.boolean().optional(),
    dir: nonEmptyString().optional(),
    maxFileSize: bytes().optional(),
    retainDays: z.int().min(1).max(3650).optional(),
    capture: section({
      models: z.array(nonEmptyString()).optional(),
      clients: z.array(nonEmptyString()).optional(),
      maxBytes: bytes().optional(),
    }).nullish(),
    stream: section({
      enabled: z.boolean().optional(),
      maxLength: z.int().min(100).max(100_000_000).optional(),
    }).nullish(),
  }).nullish();
}
export type RawAudit = z.output<ReturnType<typeof auditSchema>>;

export function metricsSchema() {
  return section({
    enabled: z.boolean().optional(),
    tokensByClient: z.boolean().optional(),
  }).nullish();
}
export type RawMetrics = z.output<ReturnType<typeof metricsSchema>>;

/** Opt-in capture of request and response bodies, for debugging (off while both lists are empty). */
export interface AuditCaptureConfig {
  /** Public model names (as the client asked for them, or the model that answered). */
  models: string[];
  /** Client key names. */
  clients: string[];
  /** Most bytes kept of each body; the rest is cut and the record says so. */
  maxBytes: number;
}

export interface AuditConfig {
  enabled: boolean;
  /** Absolute directory of the audit files. */
  dir: string;
  /** A file is rotated once it reaches this size (and at each new UTC day). */
  maxFileSizeBytes: number;
  /** Files older than this many days are deleted. */
  retainDays: number;
  capture: AuditCaptureConfig;
  stream: AuditStreamConfig;
}

/**
 * The Redis stream of records (`<state.keyPrefix>audit`), fed when `state.redis` is configured:
 * several proxies feed one activity stream. The embedded store keeps the files only.
 */
export interface AuditStreamConfig {
  enabled: boolean;
  /** The stream is trimmed to about this many records (XADD MAXLEN ~). */
  maxLength: number;
}

export interface MetricsConfig {
  enabled: boolean;
  /** Also count tokens by client key name (one series per key: mind the cardinality). */
  tokensByClient: boolean;
}

export const DEFAULT_AUDIT = {
  enabled: true,
  maxFileSizeBytes: 64 * 1024 * 1024,
  retainDays: 14,
  captureMaxBytes: 64 * 1024,
  streamMaxLength: 100_000,
} as const;

/** The compiled `audit:` section; a relative `dir` is taken from the home directory. */
export function compileAudit(
  raw: RawAudit | undefined,
  home: string,
  expandHome: (path: string) => string,
): AuditConfig {
  const dir = raw?.dir === undefined ? join(home, 'audit') : expandHome(raw.dir);
  return {
    enabled: raw?.enabled ?? DEFAULT_AUDIT.enabled,
    dir: isAbsolute(dir) ? dir : join(home, dir),
    maxFileSizeBytes: raw?.maxFileSize ?? DEFAULT_AUDIT.maxFileSizeBytes,
    retainDays: raw?.retainDays ?? DEFAULT_AUDIT.retainDays,
    capture: {
      models: raw?.capture?.models ?? [],
      clients: raw?.capture?.clients ?? [],
      maxBytes: raw?.capture?.maxBytes ?? DEFAULT_AUDIT.captureMaxBytes,
    },
    stream: {
      enabled: raw?.stream?.enabled ?? true,
      maxLength: raw?.stream?.maxLength ?? DEFAULT_AUDIT.streamMaxLength,
    },
  };
}

export function compileMetrics(raw: RawMetrics | undefined): MetricsConfig {
  return { enabled: raw?.enabled ?? true, tokensByClient: raw?.tokensByClient ?? false };
}
