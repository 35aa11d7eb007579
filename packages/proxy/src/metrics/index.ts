export { GatewayMetrics } from './gateway-metrics.js';
export type { GatewayMetricsOptions } from './gateway-metrics.js';
export { SupervisorCollector } from './supervisor-collector.js';
export type { SupervisorCollectorOptions } from './supervisor-collector.js';
export { HistogramRecorder, MODEL_STATES, parseSupervisorSnapshot } from './supervisor-snapshot.js';
export type {
  HistogramSnapshot,
  ModelFigures,
  SupervisorMetricsSnapshot,
} from './supervisor-snapshot.js';
export { metricsRoute } from './metrics-route.js';
export type { MetricsAccess } from './metrics-route.js';
export { registerAuditSinkMetrics } from './audit-sink-metrics.js';
export type { AuditSinkStatsByName } from './audit-sink-metrics.js';
