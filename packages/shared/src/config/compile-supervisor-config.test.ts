import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile-config.js';
import { compileYaml, problemsOf } from '../testing/compile-yaml.js';

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
