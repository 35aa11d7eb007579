import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { RouteTable } from './route-table.js';

const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: '/tmp/gw-home', file: 'config.yaml', env: {} });

const config = compileYaml(`
providers:
  groq: { backend: openai-compatible, url: "https://api.groq.example/v1" }
routing:
  rules:
    - { match: "^qwen", model: qwen, fallbacks: [cloud] }
models:
  qwen-7b: { modelPath: m/qwen, aliases: [qwen], fallbacks: [cloud-alias, "groq/llama-3"] }
  cloud: { backend: openai, aliases: [cloud-alias] }
  small: { modelPath: m/small, fallbacks: ["mlx/qwen"] }
`);

const chain = (table: RouteTable, name: string) =>
  table.configured.get(name)?.targets.map((t) => [t.name, t.upstreamModel]);

describe('the route table of a compiled config', () => {
  const table = new RouteTable(config.models, config);

  it('resolves every name and alias once, with the fallback chain the config compiler checked', () => {
    expect(table.publicNames).toEqual(['qwen-7b', 'qwen', 'cloud', 'cloud-alias', 'small']);
    expect(table.localNames).toEqual(['qwen-7b', 'qwen', 'small']);
    expect(table.configured.get('qwen')?.matchedBy).toBe('alias');
    expect(chain(table, 'qwen')).toEqual([
      ['qwen-7b', 'm/qwen'],
      ['cloud', 'cloud'],
      ['groq/llama-3', 'llama-3'],
    ]);
    expect(chain(table, 'small')).toEqual([
      ['small', 'm/small'],
      ['qwen-7b', 'm/qwen'],
    ]);
  });

  it('matches prefixed and rule-routed names, a new resolution each time', () => {
    expect(table.match('groq/mixtral')).toMatchObject({
      matchedBy: 'prefix',
      targets: [{ name: 'groq/mixtral', upstreamModel: 'mixtral', provider: 'groq' }],
    });
    const rule = table.match('qwen-2');
    expect(rule?.matchedBy).toBe('rule');
    expect(rule?.targets.map((t) => t.name)).toEqual(['qwen-7b', 'cloud', 'groq/llama-3']);
    expect(table.match('qwen-2')).not.toBe(rule);
    expect(table.match('nothing-routes-this')).toBeUndefined();
  });

  it('refuses a config the compiler would have refused (it cannot be routed)', () => {
    expect(() => new RouteTable([{ ...config.models[2]!, fallbacks: ['nope'] }])).toThrow(
      /routes of an unchecked config.*fallback 'nope' of model 'small'/,
    );
  });
});
