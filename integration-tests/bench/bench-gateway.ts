import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { portRanges, registeredChildren, writeConfig } from '../support/processes.js';
import { fakeUpstreamMain, proxyMain, standinMain, supervisorMain } from './bench-paths.js';
import { startService } from './service.js';
import type { Service } from './service.js';

/** Public model names the gateway serves in the benchmark. */
export const REMOTE_MODEL = 'bench-remote';
export const LOCAL_MODEL = 'bench-local';
/** Stand-in models left stopped, for the cold-start figures (one per measurement). */
export const COLD_MODELS = { one: 'bench-cold-1', hundred: 'bench-cold-100' } as const;
/** How long the stand-in takes to "load" a cold model before it opens its port. */
export const COLD_LOAD_MS = 1500;

function coldModel(name: string): string {
  return `  ${name}:
    backend: mlx-openai-server
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(standinMain)}]
    modelPath: mlx-community/${name}-4bit
    idleTimeout: 0
    env:
      MLX_STANDIN_LOAD_MS: "${COLD_LOAD_MS}"
      MLX_STANDIN_TOKEN_MS: "0"
`;
}
/**
 * The remote model's API key, as a user configures one: with a key registered, every relayed
 * stream goes through the secret scrubber, which the benchmark then measures.
 */
export const BENCH_UPSTREAM_KEY = 'sk-bench-Q7vLm2Xc9TzR4bNw8KpD1fHsZr8Hq3Lm';

/**
 * The node flags of a gateway proxy as the `mlx-gateway` command runs it (the flag in the CLI's
 * shebang; the proxy runs in `up`). Every proxy of a run gets them, the A/B paths' too: a
 * smaller young generation changes the cost of allocation, which an A/B must not mix in.
 */
export const PROXY_NODE_FLAGS = ['--max-semi-space-size=2'];

/** The environment the `mlx-gateway` command's shebang gives the proxy (see shebang-env.ts). */
export const PROXY_ENV = { MALLOC_ARENA_MAX: '1' };

export interface BenchGateway {
  proxy: Service;
  supervisor: Service;
  /** The fake upstream the supervisor started for LOCAL_MODEL. */
  localUpstreamUrl: string;
  stop(): Promise<void>;
}

export interface BenchGatewayOptions {
  home: string;
  /** The fake upstream REMOTE_MODEL is routed to. */
  upstreamUrl: string;
  /** Extra node flags for the proxy process (e.g. --cpu-prof). */
  proxyNodeFlags?: string[];
}

/**
 * The gateway as it runs for a user, with its default features on: a supervisor process and a
 * proxy process from the built packages, sharing a temporary home. REMOTE_MODEL is an
 * `openai-compatible` model pointing at the fake upstream; LOCAL_MODEL is a `command` model the
 * supervisor runs (another fake upstream), started before this resolves so that requests take
 * the hot path (model ready in the directory, lease taken in the background).
 */
export async function startBenchGateway(options: BenchGatewayOptions): Promise<BenchGateway> {
  const { home } = options;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeConfig(
    home,
    `listen: 127.0.0.1:0
supervisor:
  ports: ${await portRanges()}
models:
  ${REMOTE_MODEL}:
    backend: openai-compatible
    url: ${options.upstreamUrl}/v1
    apiKey: \${env:BENCH_UPSTREAM_KEY}
    allowPrivateNetwork: true
  ${LOCAL_MODEL}:
    backend: command
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fakeUpstreamMain)}, --port, "\${PORT}"]
    idleTimeout: 0
${coldModel(COLD_MODELS.one)}${coldModel(COLD_MODELS.hundred)}`,
  );
  // Every process started with this home inherits the key from the environment.
  process.env['BENCH_UPSTREAM_KEY'] = BENCH_UPSTREAM_KEY;
  const env = { MLX_GATEWAY_HOME: home };
  const supervisor = await startService({
    name: 'supervisor',
    // As `mlx-gateway up` starts it (SUPERVISOR_NODE_FLAGS in packages/cli).
    nodeArgs: ['--max-semi-space-size=1', '--no-opt', '--no-sparkplug', supervisorMain],
    env,
    logFile: join(home, 'supervisor.out'),
    ready: /supervisor (ready)/,
  });
  let proxy: Service;
  try {
    proxy = await startService({
      name: 'gateway proxy',
      // As the `mlx-gateway` command runs it (the flags and the variable in the CLI's shebang;
      // the proxy runs in `up`).
      nodeArgs: [...PROXY_NODE_FLAGS, ...(options.proxyNodeFlags ?? []), proxyMain],
      env: { ...env, ...PROXY_ENV },
      logFile: join(home, 'proxy.out'),
      ready: /proxy listening on (http:\S+)/,
    });
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  const stop = async (): Promise<void> => {
    await proxy.stop();
    await supervisor.stop(15_000);
  };
  try {
    const res = await request(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: LOCAL_MODEL, messages: [{ role: 'user', content: 'start' }] }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200)
      throw new Error(`${LOCAL_MODEL} did not start: ${res.statusCode} ${text}`);
    const child = registeredChildren(home).find((c) => c.model === LOCAL_MODEL);
    if (child === undefined) throw new Error(`${LOCAL_MODEL} is not in the supervisor's registry`);
    return { proxy, supervisor, localUpstreamUrl: `http://127.0.0.1:${child.port}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A config for a second proxy of the same gateway (same home, supervisor and models) with the
 * audit log and the metrics off: the `gateway-noobs` path, their cost measured in the same run.
 */
export function writeNoObservabilityConfig(home: string): string {
  const file = join(home, 'config-noobs.yaml');
  copyFileSync(join(home, 'config.yaml'), file);
  appendFileSync(file, 'audit:\n  enabled: false\nmetrics:\n  enabled: false\n');
  return file;
}

/**
 * A config for a proxy of the same gateway whose remote model has no API key: the gateway then
 * holds no secret and relays streams without the secret scrubber (as it does for a user
 * without keys), the `gateway-noscrub` path, the scrubber's cost measured in the same run. The
 * only other difference from `gateway` is the missing `authorization` header upstream.
 */
export function writeNoScrubConfig(home: string): string {
  const file = join(home, 'config-noscrub.yaml');
  const config = readFileSync(join(home, 'config.yaml'), 'utf8');
  const stripped = config.replace(/^ +apiKey: .*\n/m, '');
  if (stripped === config) throw new Error('the bench config has no apiKey line to remove');
  writeFileSync(file, stripped);
  return file;
}

/** The fake upstream of a run (bench/fake-upstream-main.ts), its output in `work`. */
/**
 * A proxy's config with the remote model only, on `upstream`; `observability` false switches the
 * audit log and the metrics off (the A/B pairs of their cost).
 */
export function remoteProxyConfig(upstream: string, observability: boolean): string {
  return `listen: 127.0.0.1:0
models:
  ${REMOTE_MODEL}:
    backend: openai-compatible
    url: ${upstream}/v1
    apiKey: \${env:BENCH_UPSTREAM_KEY}
    allowPrivateNetwork: true
${observability ? '' : 'audit:\n  enabled: false\nmetrics:\n  enabled: false\n'}`;
}

export function startFakeUpstream(work: string): Promise<Service> {
  return startService({
    name: 'fake upstream',
    nodeArgs: [fakeUpstreamMain],
    logFile: join(work, 'upstream.out'),
    ready: /listening on (http:\S+)/,
  });
}
