import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile-config.js';
import { compileYaml, problemsOf, TEST_HOME as HOME } from '../testing/compile-yaml.js';

describe('compileConfig: defaults', () => {
  it('gives every default for an empty file, with no models', () => {
    for (const raw of [null, undefined, {}]) {
      const config = compileConfig(raw, { home: HOME });
      expect(config).toEqual({
        home: HOME,
        proxy: {
          host: '127.0.0.1',
          port: 8080,
          bodyLimitBytes: 10_000_000,
          maxJsonDepth: 1_000,
          headersTimeoutMs: 30_000,
          bodyTimeoutMs: 30_000,
          heartbeatMs: 15_000,
          controlTimeoutMs: 5_000,
          pool: { connections: 64, keepAliveTimeoutMs: 60_000 },
        },
        supervisor: {
          controlEndpoint: `ipc://${HOME}/run/control.sock`,
          eventsEndpoint: `ipc://${HOME}/run/events.sock`,
          maxLoadedModels: 2,
          keepModelsOnExit: false,
          gatewayPorts: { from: 10300, to: 10399 },
          operatorPorts: { from: 10240, to: 10299 },
          stopGraceMs: 10_000,
          drainTimeoutMs: 30_000,
          capacityWaitMs: 60_000,
          leaseTtlMs: 30_000,
          healthIntervalMs: 30_000,
          failureBackoff: { initialMs: 5_000, maxMs: 300_000 },
        },
        models: [],
        state: { keyPrefix: 'mlx-gateway:', whenDown: 'serve' },
        audit: {
          enabled: true,
          dir: `${HOME}/audit`,
          maxFileSizeBytes: 64 * 1024 * 1024,
          retainDays: 14,
          capture: { models: [], clients: [], maxBytes: 64 * 1024 },
          stream: { enabled: true, maxLength: 100_000 },
        },
        metrics: { enabled: true, tokensByClient: false },
      });
      expect(config.supervisor.memoryBudgetBytes).toBeUndefined();
    }
  });

  it('treats empty sections (`proxy:` with nothing under it) as defaults', () => {
    const config = compileYaml('listen:\nproxy:\nsupervisor:\ndefaults:\nmodels:\n');
    expect(config.proxy.port).toBe(8080);
    expect(config.models).toEqual([]);
  });

  it('records the file it came from', () => {
    expect(compileYaml('{}').file).toBe('config.yaml');
  });
});

describe('compileConfig: listen', () => {
  it.each([
    ['listen: 127.0.0.1:9000', '127.0.0.1', 9000],
    ['listen: "0.0.0.0:8080"', '0.0.0.0', 8080],
    ['listen: "[::1]:8443"', '::1', 8443],
    ['listen: ":9001"', '127.0.0.1', 9001],
    ['listen: 9002', '127.0.0.1', 9002],
    ['listen: { host: localhost, port: 0 }', 'localhost', 0],
    ['listen: { port: 9003 }', '127.0.0.1', 9003],
    ['listen: { host: 192.168.1.5 }', '192.168.1.5', 8080],
  ])('%s → %s:%d', (yaml, host, port) => {
    const { proxy } = compileYaml(yaml);
    expect(proxy.host).toBe(host);
    expect(proxy.port).toBe(port);
  });

  it.each([
    ['listen: http://127.0.0.1:8080', 'without a scheme'],
    ['listen: localhost', 'expected host:port'],
    ['listen: 70000', 'the port must be within 0-65535'],
    ['listen: "127.0.0.1:99999"', 'expected host:port'],
    ['listen: [1, 2]', 'expected host:port'],
  ])('refuses %s', (yaml, message) => {
    const [problem] = problemsOf(yaml);
    expect(problem).toMatch(/^config\.yaml: listen: /);
    expect(problem).toContain(message);
  });

  it('reports unknown and bad keys of the object form by their path', () => {
    expect(problemsOf('listen: { host: "a b", prot: 1 }')).toEqual([
      'config.yaml: listen.prot: unknown key (known keys: host, port)',
    ]);
    expect(problemsOf('listen: { port: -1 }')).toEqual([
      'config.yaml: listen.port: expected a port within 0-65535 (got -1)',
    ]);
  });

  it('refuses a listen port inside a model port range', () => {
    expect(problemsOf('listen: 10300')).toEqual([
      'config.yaml: listen: port 10300 is inside supervisor.ports.gateway (10300-10399), which model servers use (got 10300)',
    ]);
  });
});

describe('compileConfig: proxy', () => {
  it('compiles every key to bytes and milliseconds', () => {
    const { proxy } = compileYaml(`
proxy:
  bodyLimit: 25MiB
  maxJsonDepth: 200
  headersTimeout: 10s
  bodyTimeout: 1m
  heartbeat: 10s
  controlTimeout: 2500ms
  pool: { connections: 16, keepAlive: 2m }
`);
    expect(proxy).toEqual({
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 25 * 2 ** 20,
      maxJsonDepth: 200,
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 60_000,
      heartbeatMs: 10_000,
      controlTimeoutMs: 2_500,
      pool: { connections: 16, keepAliveTimeoutMs: 120_000 },
    });
  });

  it('reports each bad value with its path and value', () => {
    expect(
      problemsOf(`
proxy:
  bodyLimit: huge
  heartbeat: 0
  pool: { connections: 0, keepAlive: forever }
`),
    ).toEqual([
      'config.yaml: proxy.bodyLimit: expected a size like "512MiB" or "48GB" (got "huge")',
      'config.yaml: proxy.heartbeat: must be longer than 0 (got 0)',
      'config.yaml: proxy.pool.connections: must be at least 1 (got 0)',
      'config.yaml: proxy.pool.keepAlive: expected a duration like "10m" or "30s" (got "forever")',
    ]);
  });
});

describe('compileConfig: responses', () => {
  it('compiles the time-to-live of stored responses; absent, the proxy keeps its default', () => {
    expect(compileYaml('responses:\n  ttl: 2h\n').responses).toEqual({ ttlMs: 7_200_000 });
    expect(compileYaml('responses:\n').responses).toBeUndefined();
    expect(compileYaml('models: {}\n').responses).toBeUndefined();
  });

  it('reports a bad or unknown key with its path', () => {
    expect(problemsOf('responses:\n  ttl: forever\n  store: redis\n')).toEqual([
      'config.yaml: responses.ttl: expected a duration like "10m" or "30s" (got "forever")',
      expect.stringContaining('responses.store: unknown key'),
    ]);
  });
});

describe('compileConfig: defaults section', () => {
  it('applies per-kind defaults below the model values and above the built-in ones', () => {
    const config = compileYaml(`
defaults:
  local: { idleTimeout: 0, startTimeout: 20m, healthPath: /v1/models, timeouts: { firstByte: 20m, total: 30m } }
  remote: { timeouts: { connect: 3s } }
models:
  a: { modelPath: m/a }
  b: { modelPath: m/b, idleTimeout: 1m, healthPath: /health, timeouts: { total: 25m } }
  c: { backend: openai }
  d: { backend: anthropic, timeouts: { connect: 1s } }
`);
    const [a, b, c, d] = config.models;
    expect(a).toMatchObject({
      idleTimeoutMs: 0,
      startTimeoutMs: 1_200_000,
      healthPath: '/v1/models',
      timeouts: { connectMs: 5_000, firstByteMs: 1_200_000, idleMs: 300_000, totalMs: 1_800_000 },
    });
    expect(b).toMatchObject({
      idleTimeoutMs: 60_000,
      healthPath: '/health',
      timeouts: { firstByteMs: 1_200_000, totalMs: 1_500_000 },
    });
    expect(c?.timeouts).toEqual({
      connectMs: 3_000,
      firstByteMs: 120_000,
      idleMs: 120_000,
      totalMs: 600_000,
    });
    expect(d?.timeouts.connectMs).toBe(1_000);
  });

  it('refuses keys that do not belong to a kind', () => {
    expect(problemsOf('defaults: { remote: { idleTimeout: 5m } }')).toEqual([
      'config.yaml: defaults.remote.idleTimeout: unknown key (known keys: timeouts)',
    ]);
  });
});
