import type { BackendRegistry } from '../backends/backend-registry.js';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { Inflight } from '../forwarding/inflight.js';
import type { ClientLimiter } from '../limits/client-limiter.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { ModelRouter } from '../routing/model-router.js';
import type { CapturePolicy } from '../audit/body-capture.js';

/** What the proxied POST routes work with. */
export interface ProxyRouteDeps {
  router: ModelRouter;
  backends: BackendRegistry;
  inflight: Inflight;
  clock: Clock;
  logger: ProxyLogger;
  bodyLimitBytes: number;
  /** Deepest nesting a request body may have (default DEFAULT_MAX_JSON_DEPTH). */
  maxJsonDepth?: number;
  /** Longest the body of a request may take to arrive (no limit when absent). */
  bodyTimeoutMs?: number;
  heartbeatMs: number;
  /** Whose request and response bodies go into their audit records (`audit.capture`). */
  capture?: CapturePolicy;
  /** Client-key limits (absent: none are checked). */
  limits?: ClientLimiter;
}
