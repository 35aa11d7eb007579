import type { Command, ReloadReport } from '@mlx-gateway/protocol';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { EventHub } from '../events/event-hub.js';
import type { Inflight } from '../forwarding/inflight.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import type { ProxyLogger } from '../logging/logger.js';

/** The control command that makes the gateway reload its config (daemon/reload-config.ts). */
export type ReloadCommand = Extract<Command, { cmd: 'reload' }>;

export type SendReload = (command: ReloadCommand) => Promise<ReloadReport>;

/** What applying an edited config did (shown on the config page). */
export interface ApplyReport {
  ok: boolean;
  /** One line per thing done or refused (scrubbed before it is shown). */
  messages: string[];
}

/** Writes a validated config and asks the gateway to reload it (the seam for issue 13's reload). */
export interface ConfigApplier {
  applyConfig(text: string): Promise<ApplyReport>;
}

/** Everything the dashboard reads or acts on; built once by startProxy, used on first visit. */
export interface DashboardDeps {
  config: GatewayConfig;
  supervisor: ModelSupervisor;
  inflight: Inflight;
  clock: Clock;
  logger?: ProxyLogger;
  /** The live events (request ends, model states); absent when audit and metrics are off. */
  events?: EventHub;
  /**
   * The operator key (from MLX_GATEWAY_OPERATOR_KEY or the secret store), which lets a caller
   * from elsewhere than loopback open the dashboard; undefined when none is configured.
   */
  operatorKey(): Promise<string | undefined>;
  /** Whether a presented value is a valid client key (refused at login with a clear message). */
  isClientKey?: (presented: string) => boolean;
  /** Sends the reload command after a config is written (issue 13's `reload`). */
  sendReload: SendReload;
  /** Default: write the config file, then `sendReload` (config-apply.ts). */
  applier?: ConfigApplier;
}
