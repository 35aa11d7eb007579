import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';

const HOME = '/tmp/gw-home';
const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: HOME, file: 'config.yaml', env: { HOME: '/Users/me' } });

function problemsOf(text: string): string[] {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

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

describe('compileConfig: supervisor', () => {
  it('compiles every key', () => {
    const { supervisor } = compileYaml(`
supervisor:
  control: ipc:///tmp/gw/ctl.sock
  events: tcp://127.0.0.1:5556
  maxLoadedModels: 3
  memoryBudget: 48GB
  keepModelsOnExit: true
  ports: { gateway: 20000-20099, operator: { from: 21000, to: 21009 } }
  stopGrace: 5s
  drainTimeout: 0
  capacityWait: 2m
  leaseTtl: 45s
  healthInterval: 1m
  failureBackoff: { initial: 1s, max: 1h }
`);
    expect(supervisor).toEqual({
      controlEndpoint: 'ipc:///tmp/gw/ctl.sock',
      eventsEndpoint: 'tcp://127.0.0.1:5556',
      maxLoadedModels: 3,
      memoryBudgetBytes: 48e9,
      keepModelsOnExit: true,
      gatewayPorts: { from: 20000, to: 20099 },
      operatorPorts: { from: 21000, to: 21009 },
      stopGraceMs: 5_000,
      drainTimeoutMs: 0,
      capacityWaitMs: 120_000,
      leaseTtlMs: 45_000,
      healthIntervalMs: 60_000,
      failureBackoff: { initialMs: 1_000, maxMs: 3_600_000 },
    });
  });

  it('expands ~/ in an ipc endpoint', () => {
    const { supervisor } = compileYaml('supervisor: { control: "ipc://~/gw/c.sock" }');
    expect(supervisor.controlEndpoint).toBe('ipc:///Users/me/gw/c.sock');
  });

  it.each([
    [
      'control: "http://x"',
      'supervisor.control: expected "ipc:///path/to.sock" or "tcp://host:port"',
    ],
    [
      'control: "ipc://relative.sock"',
      'supervisor.control: expected an absolute path after ipc://',
    ],
    [`events: "ipc:///${'x'.repeat(120)}.sock"`, 'over the 103-byte limit of Unix socket paths'],
    [
      'events: "ipc:///tmp/gw-home/run/control.sock"',
      'supervisor.events: must differ from supervisor.control',
    ],
  ])('refuses %s', (yaml, message) => {
    const problems = problemsOf(`supervisor: { ${yaml} }`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('explains a default socket path that is too long for the home directory', () => {
    expect(() => compileConfig({}, { home: `/tmp/${'h'.repeat(100)}` })).toThrow(
      /supervisor\.control: the default endpoint ipc:\/\/.* does not work: the socket path is \d+ bytes, over the 103-byte limit .*set MLX_GATEWAY_HOME to a shorter directory/,
    );
  });

  describe('port ranges', () => {
    it.each([
      [
        'gateway: 10399-10300',
        'supervisor.ports.gateway: the range starts after it ends (10399 > 10300) (got "10399-10300")',
      ],
      ['gateway: 80-90', 'supervisor.ports.gateway: ports must be within 1024-65535 (got "80-90")'],
      [
        'operator: 65000-70000',
        'supervisor.ports.operator: ports must be within 1024-65535 (got "65000-70000")',
      ],
      [
        'gateway: "10300"',
        'supervisor.ports.gateway: expected a port range like "10300-10399" or { from: 10300, to: 10399 } (got "10300")',
      ],
      [
        'gateway: { from: 10300, until: 10399 }',
        'supervisor.ports.gateway: unknown key until; use { from, to }',
      ],
      [
        'gateway: { from: 10300.5, to: 10399 }',
        'supervisor.ports.gateway: expected whole port numbers like "10300-10399" (got a mapping)',
      ],
    ])('refuses %s', (yaml, message) => {
      expect(problemsOf(`supervisor: { ports: { ${yaml} } }`)).toEqual([`config.yaml: ${message}`]);
    });

    it('refuses overlapping gateway and operator ranges, saying which one is the default', () => {
      expect(problemsOf('supervisor: { ports: { gateway: 10250-10350 } }')).toEqual([
        'config.yaml: supervisor.ports: the gateway range (10250-10350) and the operator range (10240-10299, the default) overlap; they must be separate',
      ]);
      expect(
        problemsOf('supervisor: { ports: { gateway: 11000-11010, operator: 11010-11020 } }'),
      ).toHaveLength(1);
    });

    it('accepts adjacent ranges', () => {
      const { supervisor } = compileYaml(
        'supervisor: { ports: { gateway: 11000-11009, operator: 11010-11020 } }',
      );
      expect(supervisor.gatewayPorts).toEqual({ from: 11000, to: 11009 });
      expect(supervisor.operatorPorts).toEqual({ from: 11010, to: 11020 });
    });
  });

  it('refuses a failure backoff that starts above its maximum', () => {
    expect(problemsOf('supervisor: { failureBackoff: { initial: 10m } }')).toEqual([
      'config.yaml: supervisor.failureBackoff: initial (10m) is longer than max (5m)',
    ]);
  });

  it('refuses maxLoadedModels below 1 and a fractional count', () => {
    expect(problemsOf('supervisor: { maxLoadedModels: 0 }')).toEqual([
      'config.yaml: supervisor.maxLoadedModels: must be at least 1 (got 0)',
    ]);
    expect(problemsOf('supervisor: { maxLoadedModels: 1.5 }')).toEqual([
      'config.yaml: supervisor.maxLoadedModels: expected a whole number (got 1.5)',
    ]);
  });

  it('refuses a duration beyond what a Node.js timer can wait', () => {
    expect(problemsOf('supervisor: { leaseTtl: 30d }')).toEqual([
      'config.yaml: supervisor.leaseTtl: must be at most 24d20h31m23s647ms (the longest timer Node.js runs) (got "30d")',
    ]);
  });
});

describe('compileConfig: unknown keys', () => {
  it('refuses a misspelt key with a suggestion, at every level', () => {
    expect(
      problemsOf(`
modles: {}
proxy: { heartbeet: 5s }
supervisor: { maxLoadedModel: 3, ports: { gateways: 10300-10399 } }
defaults: { local: { idleTimout: 5m } }
`),
    ).toEqual([
      'config.yaml: modles: unknown key; did you mean "models"?',
      'config.yaml: proxy.heartbeet: unknown key; did you mean "heartbeat"?',
      'config.yaml: supervisor.ports.gateways: unknown key; did you mean "gateway"?',
      'config.yaml: supervisor.maxLoadedModel: unknown key; did you mean "maxLoadedModels"?',
      'config.yaml: defaults.local.idleTimout: unknown key; did you mean "idleTimeout"?',
    ]);
  });

  it('lists the known keys when nothing is close', () => {
    expect(problemsOf('proxy: { zzz: 1 }')).toEqual([
      'config.yaml: proxy.zzz: unknown key (known keys: bodyLimit, maxJsonDepth, headersTimeout, bodyTimeout, heartbeat, controlTimeout, pool)',
    ]);
  });

  it('refuses a file that is not a mapping', () => {
    expect(problemsOf('- a\n- b\n')).toEqual([
      'config.yaml: expected a mapping of settings (listen, proxy, supervisor, defaults, providers, routing, models, state, audit, metrics, responses) (got a list)',
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

describe('compileConfig: every problem at once', () => {
  it('lists problems from every section in one error', () => {
    let error: unknown;
    try {
      compileYaml(`
listen: nowhere
proxy: { heartbeat: often }
models:
  qwen: { modelPath: m/q, idleTimeout: ten minutes }
  gpt: { backend: openai, apiKey: sk-abcdefghijklmnopqrstuvwx }
`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('CONFIG_INVALID');
    expect(configError.file).toBe('config.yaml');
    expect(configError.problems.map((p) => p.path)).toEqual([
      'listen',
      'proxy.heartbeat',
      'models.qwen.idleTimeout',
      'models.gpt.apiKey',
    ]);
    expect(configError.problems[2]).toEqual({
      path: 'models.qwen.idleTimeout',
      message: 'expected a duration like "10m" or "30s"',
      got: '"ten minutes"',
    });
    expect(configError.message.split('\n')[2]).toBe(
      'config.yaml: models.qwen.idleTimeout: expected a duration like "10m" or "30s" (got "ten minutes")',
    );
    expect(configError.message).not.toContain('abcdefghijklmnop');
    expect(JSON.stringify(configError.details)).not.toContain('abcdefghijklmnop');
  });

  it('names the config "config" when no file is given', () => {
    expect(() => compileConfig({ listen: 'x' }, { home: HOME })).toThrow(/^config: listen: /);
  });
});

describe('a CURVE section given a literal value', () => {
  it('never shows the value in the error', () => {
    const literal = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
    let message = '';
    try {
      compileConfig({ supervisor: { curve: literal } }, { home: '/tmp/h' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('supervisor.curve');
    expect(message).not.toContain(literal);
  });
});

describe('compileConfig: every problem in one run', () => {
  it('reports port-range overlaps and bad fallbacks next to the problems of the same sections', () => {
    const yaml = `
listen: 127.0.0.1:9100
supervisor:
  ports: { gateway: 9000-9200, operator: 9300-9400 }
  stopGrace: ten
models:
  qwen:
    modelPath: m/q
    idleTimeout: 300
    fallbacks: [nope]
`;
    expect(problemsOf(yaml)).toEqual([
      'config.yaml: supervisor.stopGrace: expected a duration like "10m" or "30s" (got "ten")',
      'config.yaml: listen: port 9100 is inside supervisor.ports.gateway (9000-9200), which model servers use (got 9100)',
      'config.yaml: models.qwen.idleTimeout: expected a duration like "10m" or "30s"; a number needs a unit: "300s" (5m)? "300ms"? (got 300)',
      'config.yaml: models.qwen.fallbacks[0]: "nope" is not a configured model',
    ]);
  });
});
