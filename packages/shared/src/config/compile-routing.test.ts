import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';
import type { RemoteModelConfig } from './types.js';

const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: '/tmp/gw-home', file: 'config.yaml', env: {} });

function problemsOf(text: string): string[] {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('providers', () => {
  it('compiles providers with the backend defaults: URL, key variable, capabilities, remote timeouts', () => {
    const config = compileYaml(`
defaults: { remote: { timeouts: { connect: 3s } } }
providers:
  openai: { apiKey: "\${env:OPENAI_API_KEY}" }
  anthropic: { backend: anthropic }
  vllm:
    backend: openai-compatible
    url: http://10.0.0.5:8000/v1/
    allowPrivateNetwork: true
    headers: { X-Team: research, X-Token: "\${secret:VLLM_TOKEN}" }
    capabilities: { vision: true }
    timeouts: { total: 20m }
`);
    expect(config.providers).toEqual([
      {
        name: 'openai',
        backend: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        apiKey: { kind: 'env', name: 'OPENAI_API_KEY' },
        allowPrivateNetwork: false,
        headers: {},
        capabilities: {
          chat: true,
          completions: true,
          embeddings: true,
          tools: true,
          vision: true,
          streamingUsage: true,
        },
        timeouts: { connectMs: 3_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 600_000 },
      },
      expect.objectContaining({
        name: 'anthropic',
        backend: 'anthropic',
        baseUrl: 'https://api.anthropic.com/v1',
        apiKey: { kind: 'env', name: 'ANTHROPIC_API_KEY' },
      }),
      {
        name: 'vllm',
        backend: 'openai-compatible',
        baseUrl: 'http://10.0.0.5:8000/v1',
        allowPrivateNetwork: true,
        headers: { 'X-Team': 'research' },
        secretHeaders: { 'X-Token': { kind: 'store', name: 'VLLM_TOKEN' } },
        capabilities: {
          chat: true,
          completions: true,
          embeddings: true,
          tools: true,
          vision: true,
          streamingUsage: true,
        },
        timeouts: { connectMs: 3_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 1_200_000 },
      },
    ]);
    expect(config.routing).toBeUndefined();
  });

  it('reports bad providers by key path, never echoing a key', () => {
    expect(
      problemsOf(`
providers:
  groq: { url: https://api.groq.com/openai/v1 }
  local: { backend: mlx-openai-server }
  mlx: { backend: openai }
  bad name: { backend: openai }
  vllm: { backend: openai-compatible }
  leak: { backend: openai, apiKey: sk-proj-Abc123Def456Ghi789Jkl }
  typo: { backend: openai, urll: x }
`),
    ).toEqual([
      'config.yaml: providers.groq.backend: missing; set backend to one of "openai", "openai-compatible", "anthropic"',
      'config.yaml: providers.local.backend: a provider is a remote API; expected one of "openai", "openai-compatible", "anthropic" (local models go under models:) (got "mlx-openai-server")',
      'config.yaml: providers.mlx: "mlx" is reserved for the local models (mlx/<name>); choose another name',
      'config.yaml: providers["bad name"]: a provider name uses letters, digits and . _ -, starts with a letter or digit, and has at most 64 characters (got "bad name")',
      'config.yaml: providers.vllm.url: missing; backend openai-compatible needs the base URL of the server, like "http://10.0.0.5:8000/v1"',
      'config.yaml: providers.leak.apiKey: API keys must not be written in the config file; store it with `mlx-gateway keys set OPENAI_API_KEY` and write `apiKey: ${secret:OPENAI_API_KEY}` (or `apiKey: ${env:OPENAI_API_KEY}` to read an environment variable) (got "sk-…(redacted)")',
      'config.yaml: providers.typo.urll: unknown key; did you mean "url"?',
    ]);
  });
});

describe('SSRF policy at config load', () => {
  it.each([
    ['http://169.254.169.254/v1', true, '169.254.169.254 is a cloud metadata address'],
    ['http://metadata.google.internal/v1', true, 'is a cloud metadata service; always refused'],
    ['http://[fd00:ec2::254]/v1', true, 'always refused'],
    ['http://0.0.0.0:8000/v1', true, 'always refused'],
    ['http://127.0.0.1:8000/v1', false, 'set allowPrivateNetwork: true if this server is yours'],
    ['http://localhost:8000/v1', false, 'set allowPrivateNetwork: true if this server is yours'],
    ['http://192.168.1.20:8000/v1', false, 'a private network address'],
    ['http://0x7f.1:8000/v1', false, 'a loopback address'],
  ])('refuses provider URL %s (allowPrivateNetwork %s) with the reason', (url, allow, reason) => {
    const [problem, ...rest] = problemsOf(
      `providers:\n  p: { backend: openai-compatible, url: "${url}", allowPrivateNetwork: ${allow} }`,
    );
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^config\.yaml: providers\.p\.url: refused: /);
    expect(problem).toContain(reason);
  });

  it('refuses a remote model URL the same way', () => {
    expect(
      problemsOf('models:\n  m: { backend: openai-compatible, url: "http://10.1.2.3/v1" }'),
    ).toEqual([
      'config.yaml: models.m.url: refused: 10.1.2.3 is a private network address (10.0.0.0/8); refused unless private network addresses are allowed; set allowPrivateNetwork: true if this server is yours (got "http://10.1.2.3/v1")',
    ]);
  });

  it('accepts loopback and private URLs with allowPrivateNetwork: true, and public ones without', () => {
    const config = compileYaml(`
providers:
  lan: { backend: openai-compatible, url: "http://127.0.0.1:9/v1", allowPrivateNetwork: true }
  pub: { backend: openai-compatible, url: "https://api.example.com/v1" }
models:
  m: { backend: openai-compatible, url: "http://192.168.0.9/v1", allowPrivateNetwork: true }
`);
    expect(config.providers?.map((p) => p.name)).toEqual(['lan', 'pub']);
    expect(config.models).toHaveLength(1);
  });
});

describe('routing', () => {
  const base = `
providers:
  openai: { backend: openai }
  groq: { backend: openai-compatible, url: https://api.groq.com/openai/v1 }
models:
  qwen-7b: { modelPath: m/qwen, aliases: [qwen] }
  cloud: { backend: openai }
`;

  it('compiles prefixes (strip defaults to true) and rules, resolving aliases to model names', () => {
    const config = compileYaml(`${base}
routing:
  prefixes:
    - { prefix: "g/", provider: groq }
    - { prefix: "raw/", provider: groq, strip: false }
    - { prefix: "local/", provider: mlx }
  rules:
    - { match: "^gpt-(4o.*)$", provider: openai, upstreamModel: "gpt-$1", fallbacks: [qwen, "g/llama"] }
    - { match: "^qw", model: qwen }
`);
    expect(config.routing).toEqual({
      prefixes: [
        { prefix: 'g/', provider: 'groq', strip: true },
        { prefix: 'raw/', provider: 'groq', strip: false },
        { prefix: 'local/', provider: 'mlx', strip: true },
      ],
      rules: [
        {
          match: '^gpt-(4o.*)$',
          provider: 'openai',
          upstreamModel: 'gpt-$1',
          fallbacks: ['qwen-7b', 'g/llama'],
        },
        { match: '^qw', model: 'qwen-7b', fallbacks: [] },
      ],
    });
  });

  it('reports every routing problem with its key path', () => {
    expect(
      problemsOf(`${base}
routing:
  prefixes:
    - { prefix: "g/", provider: grok }
    - { prefix: "g/", provider: groq }
    - { prefix: "l/", provider: mlx, strip: false }
  rules:
    - { match: "^(gpt", provider: openai }
    - { match: "^gpt-(4o)$", provider: openai, upstreamModel: "x-$2" }
    - { match: "^a", provider: openai, model: qwen }
    - { match: "^b" }
    - { match: "^c", model: qwen-8b }
    - { match: "^d", model: qwen, upstreamModel: x }
    - { match: "^e", provider: mlx }
    - { match: "^f", provider: openai, fallbacks: [nope, "mlx/cloud", qwen, qwen-7b] }
`),
    ).toEqual([
      'config.yaml: routing.prefixes[0].provider: "grok" is not a configured provider; did you mean "groq"? (add it under providers:) (got "grok")',
      'config.yaml: routing.prefixes[1].prefix: "g/" is already routing.prefixes[0]; list each prefix once',
      'config.yaml: routing.prefixes[2].strip: a prefix of the local models (provider "mlx") always strips: the rest of the name is the configured model',
      'config.yaml: routing.rules[0].match: not a valid regular expression: Unterminated group (got "^(gpt")',
      'config.yaml: routing.rules[1].upstreamModel: uses $2 but the pattern has 1 group(s) (got "x-$2")',
      'config.yaml: routing.rules[2]: set either provider (send the name to a provider) or model (send it to a configured model)',
      'config.yaml: routing.rules[3]: set either provider (send the name to a provider) or model (send it to a configured model)',
      'config.yaml: routing.rules[4].model: "qwen-8b" is not a configured model; did you mean "qwen-7b"?',
      'config.yaml: routing.rules[5].upstreamModel: applies only to provider rules; a configured model sends its own upstreamModel',
      'config.yaml: routing.rules[6].provider: to route to a local model write model: <name> instead of provider: mlx',
      'config.yaml: routing.rules[7].fallbacks[0]: "nope" is not a configured model',
      'config.yaml: routing.rules[7].fallbacks[1]: "mlx/cloud" names no configured local model ("cloud")',
      'config.yaml: routing.rules[7].fallbacks[3]: "qwen-7b" is already in this rule\'s chain',
    ]);
  });

  it('reports a malformed entry with its key path', () => {
    expect(
      problemsOf(`${base}
routing:
  prefixes: [{ prefix: "/bad", provider: groq }]
  rules: [{ match: "^g", provider: openai, fallback: [x] }]
`),
    ).toEqual([
      'config.yaml: routing.prefixes[0].prefix: a prefix uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 64 characters (like "groq/") (got "/bad")',
      'config.yaml: routing.rules[0].fallback: unknown key; did you mean "fallbacks"?',
    ]);
  });

  it('accepts model fallbacks given as prefixed names of configured providers or local models', () => {
    const config = compileYaml(`${base}
  big: { modelPath: m/big, fallbacks: ["openai/gpt-4o-mini", "mlx/qwen", cloud] }
`);
    expect(config.models.find((m) => m.name === 'big')?.fallbacks).toEqual([
      'openai/gpt-4o-mini',
      'qwen-7b',
      'cloud',
    ]);
    expect(
      problemsOf(`${base}\n  big: { modelPath: m/big, fallbacks: ["anthropic/claude"] }`),
    ).toEqual([
      'config.yaml: models.big.fallbacks[0]: "anthropic/claude" is not a configured model',
    ]);
  });
});

describe('models that name a provider', () => {
  it('take the provider’s URL, key, headers and SSRF switch; their own capabilities and timeouts win', () => {
    const config = compileYaml(`
providers:
  vllm:
    backend: openai-compatible
    url: http://10.0.0.5:8000/v1
    apiKey: \${env:VLLM_KEY}
    allowPrivateNetwork: true
    headers: { X-Team: research }
    capabilities: { vision: true }
    timeouts: { total: 20m, firstByte: 15m }
models:
  qwen-big:
    provider: vllm
    upstreamModel: Qwen/Qwen2.5-72B
    aliases: [big]
    capabilities: { embeddings: false }
    timeouts: { idle: 1m }
`);
    const model = config.models[0] as RemoteModelConfig;
    expect(model).toEqual({
      kind: 'remote',
      name: 'qwen-big',
      backend: 'openai-compatible',
      provider: 'vllm',
      aliases: ['big'],
      upstreamModel: 'Qwen/Qwen2.5-72B',
      baseUrl: 'http://10.0.0.5:8000/v1',
      apiKey: { kind: 'env', name: 'VLLM_KEY' },
      allowPrivateNetwork: true,
      headers: { 'X-Team': 'research' },
      capabilities: {
        chat: true,
        completions: true,
        embeddings: false,
        tools: true,
        vision: true,
        streamingUsage: true,
      },
      timeouts: { connectMs: 10_000, firstByteMs: 900_000, idleMs: 60_000, totalMs: 1_200_000 },
      fallbacks: [],
    });
  });

  it('refuses keys that come from the provider, and an unknown provider', () => {
    expect(
      problemsOf(`
providers:
  openai: { backend: openai }
models:
  a: { provider: openai, url: "https://x.example.com/v1", apiKey: "\${env:X}" }
  b: { provider: opnai }
`),
    ).toEqual([
      'config.yaml: models.a.url: comes from provider "openai"; set it there, or leave out provider: and configure the model fully',
      'config.yaml: models.a.apiKey: comes from provider "openai"; set it there, or leave out provider: and configure the model fully',
      'config.yaml: models.b.provider: is not a configured provider; did you mean "openai"? (add it under providers:) (got "opnai")',
    ]);
  });
});
