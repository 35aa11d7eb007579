import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { StateStore } from '@mlx-gateway/shared/state';
import { CapturePolicy } from '../audit/body-capture.js';
import { EventHub } from '../events/event-hub.js';
import type { ProxyLogger } from '../logging/logger.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { registerAuditSinkMetrics } from '../metrics/audit-sink-metrics.js';
import type { AuditSinkStatsByName } from '../metrics/audit-sink-metrics.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import type { RequestEnd } from './request-audit.js';
import {
  REQUEST_END_BATCH_MS,
  RequestEnds,
  openAuditStream,
  openAuditWriter,
  requestEndHandler,
  requestEndKeepsRecords,
} from './request-end.js';

/** What the app gets: each part absent when switched off. */
export interface ObservabilityParts {
  onRequestEnd?: RequestEnd;
  metrics?: GatewayMetrics;
  events?: EventHub;
  capture?: CapturePolicy;
}

export interface Observability {
  appDeps: ObservabilityParts;
  /** Stops following the supervisor and writes every queued record. */
  close(): Promise<void>;
}

/**
 * The proxy's audit log, metrics and live events, from the `audit:` and `metrics:` sections.
 * With both off, requests build no audit record at all (and the live events are not served).
 * Model state changes reach the live events from the supervisor link's model directory.
 */
export function openObservability(
  config: GatewayConfig,
  logger: ProxyLogger,
  supervisor: ModelSupervisor,
  inFlight: () => number,
  state?: () => Promise<StateStore>,
): Observability {
  const writer = config.audit === undefined ? undefined : openAuditWriter(config.audit, logger);
  const stream =
    config.audit === undefined || state === undefined
      ? undefined
      : openAuditStream(config.audit, config.state?.redis !== undefined, state, logger);
  const metrics =
    config.metrics?.enabled === false
      ? undefined
      : new GatewayMetrics({ tokensByClient: config.metrics?.tokensByClient === true, inFlight });
  if (metrics !== undefined) {
    const sinks: Record<string, AuditSinkStatsByName[string]> = {};
    if (writer !== undefined) sinks['file'] = writer;
    if (stream !== undefined) sinks['redis'] = stream;
    metrics.addSeries((registry) => registerAuditSinkMetrics(registry, sinks));
  }
  if (writer === undefined && metrics === undefined) {
    return { appDeps: {}, close: () => Promise.resolve() };
  }
  const events = new EventHub();
  // The directory reports every change of a model's info (its lease count too): only a new
  // state is an event.
  const states = new Map<string, string>();
  const unfollow = supervisor.onModelChange?.((info) => {
    if (states.get(info.name) === info.state) return;
    states.set(info.name, info.state);
    const event = {
      type: 'model.state' as const,
      model: info.name,
      state: info.state,
      at: Date.now(),
    };
    events.publish(info.reason === undefined ? event : { ...event, reason: info.reason });
  });
  const targets = { writer, stream, metrics, events };
  const ends = new RequestEnds(
    requestEndHandler(targets),
    REQUEST_END_BATCH_MS,
    requestEndKeepsRecords(targets),
  );
  metrics?.beforeScrape(ends.drain);
  const appDeps: ObservabilityParts = { onRequestEnd: ends.end, events };
  if (metrics !== undefined) appDeps.metrics = metrics;
  const capture =
    config.audit?.enabled === true ? new CapturePolicy(config.audit.capture) : undefined;
  if (capture?.enabled === true) appDeps.capture = capture;
  return {
    appDeps,
    close: async () => {
      unfollow?.();
      ends.drain();
      await Promise.all([writer?.close(), stream?.close()]);
    },
  };
}
