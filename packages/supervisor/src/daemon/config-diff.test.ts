import { compileConfig, parseConfigYaml, type GatewayConfig } from '@mlx-gateway/shared/config';
import { describe, expect, it } from 'vitest';
import { configInForce, diffConfig } from './config-diff.js';

const local = (name: string, more = '') =>
  `  ${name}: { backend: mlx-openai-server, command: [/bin/true], modelPath: test/${name}${more} }`;

function config(yaml: string): GatewayConfig {
  return compileConfig(parseConfigYaml(yaml, 'config.yaml'), { home: '/tmp/gw-home' });
}

const base = `listen: 127.0.0.1:8080
models:
${local('a')}
${local('b')}
  gpt: { backend: openai, upstreamModel: gpt-4o }
`;

describe('diffConfig', () => {
  it('the same file: nothing changed, every model unchanged', () => {
    const d = diffConfig(config(base), config(base));
    expect(d.changed).toBe(false);
    expect(d.models.unchanged).toEqual(['a', 'b', 'gpt']);
    expect(d.applied).toEqual([]);
    expect(d.needsRestart).toEqual([]);
  });

  it('tells models added, removed, restarted (launch settings) and updated in place', () => {
    const after = `listen: 127.0.0.1:8080
models:
${local('a', ', args: [--max-tokens, "64"]')}
${local('c')}
  gpt: { backend: openai, upstreamModel: gpt-4o, aliases: [g] }
`;
    const d = diffConfig(config(base), config(after));
    expect(d.models).toEqual({
      added: ['c'],
      removed: ['b'],
      restarted: ['a'],
      updated: ['gpt'],
      unchanged: [],
    });
    expect(d.applied).toEqual([{ path: 'models.gpt.aliases' }]);
    expect(d.changed).toBe(true);
  });

  it("a local model's idle timeout is not a launch setting: updated, not restarted", () => {
    const after = base.replace(local('b'), local('b', ', idleTimeout: 1h'));
    const d = diffConfig(config(base), config(after));
    expect(d.models.updated).toEqual(['b']);
    expect(d.models.restarted).toEqual([]);
    expect(d.applied).toEqual([{ path: 'models.b.idleTimeout' }]);
  });

  it('a model whose kind changed is removed and added under the same name', () => {
    const after = base.replace(local('b'), '  b: { backend: openai, upstreamModel: gpt-4o-mini }');
    const d = diffConfig(config(base), config(after));
    expect(d.models.removed).toEqual(['b']);
    expect(d.models.added).toEqual(['b']);
  });

  it('names settings applied in place and those that need a restart, one by one', () => {
    const after = `listen: 127.0.0.1:9090
proxy: { bodyLimit: 1MB, headersTimeout: 10s }
supervisor:
  maxLoadedModels: 4
  drainTimeout: 5s
  leaseTtl: 1m
  ports: { gateway: 11000-11099, operator: 11100-11199 }
  control: ipc:///tmp/gw-other/control.sock
routing:
  rules:
    - { match: '^x-', model: a }
audit: { enabled: false }
${base.slice(base.indexOf('models:'))}`;
    const d = diffConfig(config(base), config(after));
    expect(d.applied.map((s) => s.path).sort()).toEqual([
      'proxy.bodyLimit',
      'routing',
      'supervisor.drainTimeout',
      'supervisor.maxLoadedModels',
    ]);
    expect(d.needsRestart.map((s) => s.path).sort()).toEqual([
      'audit',
      'listen',
      'proxy.headersTimeout',
      'supervisor.control',
      'supervisor.leaseTtl',
      'supervisor.ports.gateway',
      'supervisor.ports.operator',
    ]);
    expect(d.needsRestart.every((s) => (s.note ?? '').length > 0)).toBe(true);
    expect(d.models.unchanged).toEqual(['a', 'b', 'gpt']);
  });
});

describe('configInForce', () => {
  it('takes what can change in place and keeps the running value of the rest', () => {
    const before = config(base);
    const after = config(`listen: 127.0.0.1:9090
supervisor: { maxLoadedModels: 4, leaseTtl: 1m, ports: { gateway: 11000-11099, operator: 11100-11199 } }
audit: { enabled: false }
${base.slice(base.indexOf('models:'))}`);
    const inForce = configInForce(before, after);
    expect(inForce.supervisor.maxLoadedModels).toBe(4);
    expect(inForce.supervisor.leaseTtlMs).toBe(before.supervisor.leaseTtlMs);
    expect(inForce.supervisor.gatewayPorts).toEqual(before.supervisor.gatewayPorts);
    expect(inForce.proxy.port).toBe(8080);
    expect(inForce.audit).toEqual(before.audit);
    expect(inForce.models).toBe(after.models);
    // What still differs from the file keeps being named on the next reload.
    expect(
      diffConfig(inForce, after)
        .needsRestart.map((s) => s.path)
        .sort(),
    ).toEqual([
      'audit',
      'listen',
      'supervisor.leaseTtl',
      'supervisor.ports.gateway',
      'supervisor.ports.operator',
    ]);
  });
});
