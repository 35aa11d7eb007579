import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';
import { compileYaml, problemsOf, TEST_HOME as HOME } from '../testing/compile-yaml.js';

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
