import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { GatewayConfig, ProxyConfig, SecretRef } from '@mlx-gateway/shared/config';
import type { Clock } from '@mlx-gateway/shared/clock';
import { startProxy } from '../server.js';
import type { RunningProxy } from '../server.js';
import { FakeSupervisor } from './fake-supervisor.js';
import { RecordingLogger } from './recording-logger.js';
import { gatewayConfig } from './test-config.js';

export interface TestProxy {
  proxy: RunningProxy;
  url: string;
  config: GatewayConfig;
  supervisor: FakeSupervisor;
  logger: RecordingLogger;
  /** Origins for which a pool was created, in order (one entry per pool). */
  poolsCreated: string[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  models: GatewayConfig['models'];
  proxy?: Partial<ProxyConfig>;
  supervisor?: FakeSupervisor;
  clock?: Clock;
  secrets?: Record<string, string>;
  shutdownGraceMs?: number;
  /** Replaces the real undici pool of an origin (e.g. one that never connects). */
  createPool?: (origin: string, options: Pool.Options) => Dispatcher;
}

/** Starts the real proxy on an OS-assigned port with a fake supervisor and a recording logger. */
export async function startTestProxy(options: TestProxyOptions): Promise<TestProxy> {
  const config = gatewayConfig(options.models, options.proxy);
  const supervisor = options.supervisor ?? new FakeSupervisor();
  const logger = new RecordingLogger();
  const poolsCreated: string[] = [];
  const secrets = options.secrets ?? {};
  const proxy = await startProxy({
    config,
    supervisor,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
    resolveSecret: (ref: SecretRef) => {
      const value = secrets[ref.name];
      return value === undefined
        ? Promise.reject(new Error(`test secret ${ref.name} missing`))
        : Promise.resolve(value);
    },
    createPool: (origin: string, poolOptions: Pool.Options): Dispatcher => {
      poolsCreated.push(origin);
      return options.createPool?.(origin, poolOptions) ?? new Pool(origin, poolOptions);
    },
  });
  return {
    proxy,
    url: proxy.url,
    config,
    supervisor,
    logger,
    poolsCreated,
    close: () => proxy.close(),
  };
}
