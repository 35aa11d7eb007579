import { describe, expect, it } from 'vitest';
import { problemsOf, remote } from '../testing/compile-yaml.js';

describe('remote models', () => {
  it('compiles an OpenAI model with its defaults (key read from OPENAI_API_KEY)', () => {
    expect(remote('  gpt-4o: { backend: openai }')).toEqual({
      kind: 'remote',
      name: 'gpt-4o',
      backend: 'openai',
      aliases: [],
      upstreamModel: 'gpt-4o',
      capabilities: {
        chat: true,
        completions: true,
        embeddings: true,
        tools: true,
        vision: true,
        streamingUsage: true,
      },
      timeouts: { connectMs: 10_000, firstByteMs: 120_000, idleMs: 120_000, totalMs: 600_000 },
      fallbacks: [],
      baseUrl: 'https://api.openai.com/v1',
      apiKey: { kind: 'env', name: 'OPENAI_API_KEY' },
      allowPrivateNetwork: false,
      headers: {},
    });
  });

  it('compiles every key and keeps references unresolved', () => {
    const model = remote(`
  gpt-4o:
    backend: openai
    url: https://proxy.example.com/openai/v1/
    apiKey: \${secret:WORK_OPENAI}
    upstreamModel: gpt-4o-2024-08-06
    allowPrivateNetwork: true
    headers: { OpenAI-Organization: org-123, X-Trace: 1, api-key: "\${env:AZURE_KEY}" }
    aliases: [gpt4]
    capabilities: { embeddings: false }
    timeouts: { total: 20m }
`);
    expect(model).toMatchObject({
      baseUrl: 'https://proxy.example.com/openai/v1',
      apiKey: { kind: 'store', name: 'WORK_OPENAI' },
      upstreamModel: 'gpt-4o-2024-08-06',
      allowPrivateNetwork: true,
      headers: { 'OpenAI-Organization': 'org-123', 'X-Trace': '1' },
      secretHeaders: { 'api-key': { kind: 'env', name: 'AZURE_KEY' } },
      aliases: ['gpt4'],
      capabilities: { embeddings: false, chat: true },
      timeouts: { totalMs: 1_200_000 },
    });
  });

  it('defaults the Anthropic URL, key variable and capabilities', () => {
    expect(remote('  claude: { backend: anthropic }')).toMatchObject({
      baseUrl: 'https://api.anthropic.com/v1',
      apiKey: { kind: 'env', name: 'ANTHROPIC_API_KEY' },
      capabilities: {
        chat: true,
        completions: false,
        embeddings: false,
        tools: true,
        vision: true,
        streamingUsage: true,
      },
    });
  });

  it('needs a url for openai-compatible, and sends no key unless one is set', () => {
    expect(problemsOf('models:\n  v: { backend: openai-compatible }')).toEqual([
      'config.yaml: models.v.url: missing; backend openai-compatible needs the base URL of the server, like "http://127.0.0.1:8000/v1"',
    ]);
    const model = remote(
      '  v: { backend: openai-compatible, url: "http://127.0.0.1:8000/v1", allowPrivateNetwork: true }',
    );
    expect(model.apiKey).toBeUndefined();
    expect(model.capabilities).toMatchObject({ chat: true, embeddings: true, vision: false });
  });

  it.each([
    [
      'ftp://x/v1',
      'expected an http or https URL like "https://api.openai.com/v1" (got "ftp://x/v1")',
    ],
    ['not a url', 'expected an http or https URL'],
    [
      'https://api.example.com/v1?x=1',
      'must not have a query (?...) or fragment (#...) (got "https://api.example.com/v1?…")',
    ],
    ['https://user:hunter2@api.example.com/v1', 'must not contain user:password@'],
  ])('refuses url %s', (url, message) => {
    const [problem, ...rest] = problemsOf(
      `models:\n  v: { backend: openai-compatible, url: "${url}" }`,
    );
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^config\.yaml: models\.v\.url: /);
    expect(problem).toContain(message);
    expect(problem).not.toContain('hunter2');
  });

  describe('literal API keys', () => {
    it('refuses a literal apiKey, says how to store it, and never echoes it', () => {
      const key = 'sk-proj-Abc123Def456Ghi789Jkl';
      const problems = problemsOf(`models:\n  gpt-4o: { backend: openai, apiKey: ${key} }`);
      expect(problems).toEqual([
        'config.yaml: models.gpt-4o.apiKey: API keys must not be written in the config file; store it with `mlx-gateway keys set OPENAI_API_KEY` and write `apiKey: ${secret:OPENAI_API_KEY}` (or `apiKey: ${env:OPENAI_API_KEY}` to read an environment variable) (got "sk-…(redacted)")',
      ]);
      expect(problems.join('\n')).not.toContain('Abc123');
    });

    it('masks an Anthropic key as sk-ant-…', () => {
      const [problem] = problemsOf(
        'models:\n  c: { backend: anthropic, apiKey: sk-ant-api03-SECRETSECRET }',
      );
      expect(problem).toContain('(got "sk-ant-…(redacted)")');
      expect(problem).toContain('mlx-gateway keys set ANTHROPIC_API_KEY');
      expect(problem).not.toContain('SECRETSECRET');
    });

    it('refuses any literal, not only key-shaped ones, and suggests a name from the model', () => {
      const [problem] = problemsOf(
        'models:\n  my-vllm: { backend: openai-compatible, url: "http://h/v1", apiKey: hunter2 }',
      );
      expect(problem).toContain('mlx-gateway keys set MY_VLLM_API_KEY');
      expect(problem).toContain('(got "…(redacted)")');
      expect(problem).not.toContain('hunter2');
    });

    it('explains $NAME, the shell habit, instead of calling it a literal key', () => {
      expect(problemsOf('models:\n  g: { backend: openai, apiKey: $OPENAI_API_KEY }')).toEqual([
        'config.yaml: models.g.apiKey: to read an environment variable write ${env:OPENAI_API_KEY} (got "$OPENAI_API_KEY")',
      ]);
    });

    it('refuses a key-shaped header value and literal credentials headers without echoing them', () => {
      const problems = problemsOf(`
models:
  g:
    backend: openai
    headers:
      X-Extra: "prefix sk-abcdefghijklmnopqrst"
      Authorization: "Bearer hunter2hunter2"
`);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(
        /^config\.yaml: models\.g\.headers\.X-Extra: credentials must not be written in the config file; store it with `mlx-gateway keys set OPENAI_API_KEY`/,
      );
      expect(problems[1]).toMatch(
        /^config\.yaml: models\.g\.headers\.Authorization: credentials must not be written/,
      );
      expect(problems.join('\n')).not.toMatch(/abcdefghijklmnopqrst|hunter2/);
    });

    it('does not echo a mistyped apiKey key either', () => {
      const problems = problemsOf(
        'models:\n  g: { backend: openai, apikey: sk-abcdefghijklmnopqrst }',
      );
      expect(problems).toEqual([
        'config.yaml: models.g.apikey: unknown key; did you mean "apiKey"?',
      ]);
    });
  });

  it('refuses headers the gateway sets itself', () => {
    expect(problemsOf('models:\n  g: { backend: openai, headers: { Content-Length: 5 } }')).toEqual(
      [
        'config.yaml: models.g.headers.Content-Length: is set by the gateway; remove it (got (redacted))',
      ],
    );
  });
});

describe('backend', () => {
  it('must be given unless modelPath is', () => {
    expect(problemsOf('models:\n  x: { url: "http://h/v1" }')).toEqual([
      'config.yaml: models.x.backend: missing; set backend to one of "mlx-openai-server", "command", "openai", "openai-compatible", "anthropic" (it may be left out only for a model with modelPath, which runs on mlx-openai-server)',
    ]);
  });

  it('must be a known backend, with a suggestion', () => {
    expect(problemsOf('models:\n  x: { backend: openai-compat }')).toEqual([
      'config.yaml: models.x.backend: expected one of "mlx-openai-server", "command", "openai", "openai-compatible", "anthropic"; did you mean "openai-compatible"? (got "openai-compat")',
    ]);
  });

  it('refuses an entry that is not a mapping', () => {
    expect(problemsOf('models:\n  x: mlx-community/foo')).toEqual([
      'config.yaml: models.x: expected a mapping of settings (backend, modelPath, ...) (got "mlx-community/foo")',
    ]);
    expect(problemsOf('models: [a, b]')).toEqual([
      'config.yaml: models: expected a mapping of model names to their settings (got a list)',
    ]);
  });
});
