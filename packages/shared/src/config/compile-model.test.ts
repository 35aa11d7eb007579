import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';
import type { LocalModelConfig, ModelConfig, RemoteModelConfig } from './types.js';

const compileYaml = (text: string) =>
  compileConfig(parse(text), {
    home: '/tmp/gw-home',
    file: 'config.yaml',
    env: { HOME: '/Users/me' },
  });

function onlyModel(text: string): ModelConfig {
  const { models } = compileYaml(`models:\n${text}`);
  expect(models).toHaveLength(1);
  return models[0] as ModelConfig;
}
const local = (text: string) => onlyModel(text) as LocalModelConfig;
const remote = (text: string) => onlyModel(text) as RemoteModelConfig;

function problemsOf(text: string): string[] {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('mlx-openai-server models', () => {
  it('compiles a minimal entry with the backend defaults', () => {
    expect(
      local(`
  qwen-7b:
    modelPath: mlx-community/Qwen2.5-7B-Instruct-4bit
`),
    ).toEqual({
      kind: 'local',
      name: 'qwen-7b',
      backend: 'mlx-openai-server',
      aliases: [],
      upstreamModel: 'mlx-community/Qwen2.5-7B-Instruct-4bit',
      capabilities: {
        chat: true,
        completions: true,
        embeddings: false,
        tools: true,
        vision: false,
        streamingUsage: true,
      },
      timeouts: { connectMs: 5_000, firstByteMs: 900_000, idleMs: 300_000, totalMs: 900_000 },
      fallbacks: [],
      argv: [
        'mlx-openai-server',
        'launch',
        '--model-path',
        'mlx-community/Qwen2.5-7B-Instruct-4bit',
        '--model-type',
        'lm',
        '--host',
        '${HOST}',
        '--port',
        '${PORT}',
      ],
      env: {},
      modelPath: 'mlx-community/Qwen2.5-7B-Instruct-4bit',
      modelType: 'lm',
      healthPath: '/health',
      idleTimeoutMs: 600_000,
      startTimeoutMs: 300_000,
    });
  });

  it('compiles every key', () => {
    const model = local(`
  qwen:
    backend: mlx-openai-server
    modelPath: ~/models/qwen
    modelType: multimodal
    command: [node, /opt/standin/main.js]
    args: [--context-length, 8192, --served-model-name, qwen-vl]
    env: { HF_HUB_OFFLINE: 1, LOG: "debug" }
    aliases: [q, qwen-vl-7b]
    upstreamModel: custom-id
    idleTimeout: 0
    startTimeout: 10m
    healthPath: /v1/models
    capabilities: { tools: false }
    timeouts: { connect: 1s, firstByte: 20m, idle: 1m, total: 30m }
`);
    expect(model).toMatchObject({
      modelPath: '/Users/me/models/qwen',
      modelType: 'multimodal',
      argv: [
        'node',
        '/opt/standin/main.js',
        'launch',
        '--model-path',
        '/Users/me/models/qwen',
        '--model-type',
        'multimodal',
        '--context-length',
        '8192',
        '--served-model-name',
        'qwen-vl',
        '--host',
        '${HOST}',
        '--port',
        '${PORT}',
      ],
      env: { HF_HUB_OFFLINE: '1', LOG: 'debug' },
      aliases: ['q', 'qwen-vl-7b'],
      upstreamModel: 'custom-id',
      idleTimeoutMs: 0,
      startTimeoutMs: 600_000,
      healthPath: '/v1/models',
      capabilities: { chat: true, vision: true, tools: false, embeddings: false },
      timeouts: { connectMs: 1_000, firstByteMs: 1_200_000, idleMs: 60_000, totalMs: 1_800_000 },
    });
  });

  it('splits a command string like a shell, without a shell', () => {
    const model = local(`
  qwen:
    modelPath: m/q
    command: "/opt/my venv/bin/mlx-openai-server"
`);
    expect(model.argv[0]).toBe('/opt/my');
    const quoted = local(`
  qwen:
    modelPath: m/q
    command: "'/opt/my venv/bin/mlx-openai-server'"
`);
    expect(quoted.argv.slice(0, 2)).toEqual(['/opt/my venv/bin/mlx-openai-server', 'launch']);
  });

  it('takes upstreamModel from --served-model-name in either form', () => {
    expect(local('  q: { modelPath: m/q, args: ["--served-model-name=qq"] }').upstreamModel).toBe(
      'qq',
    );
    expect(local('  q: { modelPath: m/q, args: [--served-model-name, qq] }').upstreamModel).toBe(
      'qq',
    );
  });

  it.each([
    ['embeddings', { embeddings: true, chat: false, completions: false, tools: false }],
    ['whisper', { embeddings: false, chat: false, completions: false, vision: false }],
  ])('gives modelType %s its capabilities', (modelType, expected) => {
    expect(local(`  e: { modelPath: m/e, modelType: ${modelType} }`).capabilities).toMatchObject(
      expected,
    );
  });

  it.each(['--max-concurrency', '--message-converter'])(
    'refuses %s, removed in v1.7, in either form',
    (flag) => {
      expect(problemsOf(`models:\n  q: { modelPath: m/q, args: [${flag}, "4"] }`)).toEqual([
        `config.yaml: models.q.args[0]: ${flag} was removed in mlx-openai-server v1.7 (the server exits with an error when it is passed); remove it (got "${flag}")`,
      ]);
      expect(problemsOf(`models:\n  q: { modelPath: m/q, args: ["${flag}=4"] }`)[0]).toContain(
        'was removed in mlx-openai-server v1.7',
      );
    },
  );

  it.each([
    ['--host', 'is set by the supervisor (always 127.0.0.1)'],
    ['--port', 'is set by the supervisor (from supervisor.ports)'],
    ['--model-path', 'comes from modelPath'],
    ['--model-type', 'comes from modelType'],
  ])('refuses %s in args', (flag, why) => {
    expect(
      problemsOf(`models:\n  q: { modelPath: m/q, args: [--trust-remote-code, ${flag}, x] }`),
    ).toEqual([
      `config.yaml: models.q.args[1]: ${flag} ${why}; ${flag === '--host' || flag === '--port' ? 'remove it' : 'set that instead'} (got "${flag}")`,
    ]);
  });

  it('asks for modelPath when the backend is set but modelPath is not', () => {
    expect(problemsOf('models:\n  q: { backend: mlx-openai-server }')).toEqual([
      'config.yaml: models.q.modelPath: missing; set it to the Hugging Face id or local path of the MLX model (like "mlx-community/Qwen2.5-7B-Instruct-4bit")',
    ]);
  });

  it('refuses an unknown modelType with a suggestion', () => {
    expect(problemsOf('models:\n  q: { modelPath: m/q, modelType: embedding }')).toEqual([
      'config.yaml: models.q.modelType: expected one of "lm", "multimodal", "embeddings", "whisper", "image-generation", "image-edit"; did you mean "embeddings"? (got "embedding")',
    ]);
  });

  it('refuses a setting of another backend and says whose it is', () => {
    expect(problemsOf('models:\n  q: { modelPath: m/q, url: "http://x" }')).toEqual([
      'config.yaml: models.q.url: does not apply to backend "mlx-openai-server" (it is a setting of backend "openai", "openai-compatible", "anthropic")',
    ]);
  });

  it('suggests the right spelling of a misspelt model key', () => {
    expect(problemsOf('models:\n  qwen: { modelPath: m/q, idelTimeout: 5m }')).toEqual([
      'config.yaml: models.qwen.idelTimeout: unknown key; did you mean "idleTimeout"?',
    ]);
  });

  it('checks env names and health paths', () => {
    expect(
      problemsOf('models:\n  q: { modelPath: m/q, env: { "BAD-NAME": x }, healthPath: health }'),
    ).toEqual([
      'config.yaml: models.q.env.BAD-NAME: is not a valid environment variable name',
      'config.yaml: models.q.healthPath: expected a path starting with "/" like "/health" (got "health")',
    ]);
  });

  it('does not show env values in errors', () => {
    const [problem] = problemsOf(
      'models:\n  q: { modelPath: m/q, env: { HF_TOKEN: [hf_secretvalue] } }',
    );
    expect(problem).toBe('config.yaml: models.q.env.HF_TOKEN: expected a string (got (redacted))');
  });

  it('refuses timeouts where the first byte may come after the total', () => {
    expect(problemsOf('models:\n  q: { modelPath: m/q, timeouts: { total: 5m } }')).toEqual([
      'config.yaml: models.q.timeouts: firstByte (15m) is longer than total (5m); make firstByte ≤ total',
    ]);
  });
});

describe('command models', () => {
  it('splits the command and keeps the placeholders', () => {
    const model = local(`
  llama:
    backend: command
    command: "llama-server -m '/models/my model.gguf' --port \${PORT} --host $HOST"
`);
    expect(model.argv).toEqual([
      'llama-server',
      '-m',
      '/models/my model.gguf',
      '--port',
      '${PORT}',
      '--host',
      '${HOST}',
    ]);
    expect(model).toMatchObject({
      backend: 'command',
      upstreamModel: 'llama',
      healthPath: '/health',
      capabilities: { chat: true, completions: true, embeddings: true, tools: false },
    });
    expect(model.modelPath).toBeUndefined();
  });

  it('appends --host and --port when the command never mentions ${PORT}', () => {
    expect(local('  l: { backend: command, command: [mlx_lm.server, --model, m/x] }').argv).toEqual(
      ['mlx_lm.server', '--model', 'm/x', '--host', '${HOST}', '--port', '${PORT}'],
    );
    expect(
      local('  l: { backend: command, command: ["srv", "--listen=${HOST}:${PORT}"] }').argv,
    ).toEqual(['srv', '--listen=${HOST}:${PORT}']);
    expect(local('  l: { backend: command, command: [srv, -p, $PORT, -h, $HOST] }').argv).toEqual([
      'srv',
      '-p',
      '${PORT}',
      '-h',
      '${HOST}',
    ]);
  });

  it.each([
    [
      '"srv --port $PORT --model $MODEL_DIR"',
      '"${MODEL_DIR}" is not expanded: the command runs without a shell',
    ],
    ['"srv | tee log"', '"|" is not supported: the command runs without a shell'],
    ['"srv > log"', '">" is not supported'],
    ['"srv *.gguf"', '"*.gguf" is not expanded'],
    ['[srv, "${env:TOKEN}"]', '${env:TOKEN} is not replaced; only ${PORT} and ${HOST} are'],
    ['""', 'must name a program to run'],
    ['[]', 'must name a program to run'],
    ['{ run: srv }', 'expected a command line (a string or a list of arguments)'],
  ])('refuses command %s', (command, message) => {
    const problems = problemsOf(`models:\n  l: { backend: command, command: ${command} }`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^config\.yaml: models\.l\.command: /);
    expect(problems[0]).toContain(message);
  });

  it('asks for the command when it is missing', () => {
    expect(problemsOf('models:\n  l: { backend: command }')).toEqual([
      'config.yaml: models.l.command: missing; set it to the command line that starts the server, with ${PORT} where the port goes',
    ]);
  });

  it('refuses args and modelPath, which belong to mlx-openai-server', () => {
    expect(problemsOf('models:\n  l: { backend: command, command: srv, args: [x] }')).toEqual([
      'config.yaml: models.l.args: does not apply to backend "command" (it is a setting of backend "mlx-openai-server")',
    ]);
  });
});

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

describe('names, aliases and fallbacks', () => {
  it('keeps declaration order', () => {
    const { models } = compileYaml(`
models:
  zeta: { backend: openai }
  alpha: { modelPath: m/a }
  mid: { backend: anthropic }
`);
    expect(models.map((m) => m.name)).toEqual(['zeta', 'alpha', 'mid']);
  });

  it('refuses an alias that clashes with another model name, naming both', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q }
  qwen-7b: { modelPath: m/q7, aliases: [qwen] }
`),
    ).toEqual([
      'config.yaml: models.qwen-7b.aliases[0]: "qwen" is already used by models.qwen; names and aliases must be unique',
    ]);
  });

  it('refuses an alias used twice, naming where it was first used', () => {
    expect(
      problemsOf(`
models:
  a: { modelPath: m/a, aliases: [small] }
  b: { backend: openai, aliases: [small] }
`),
    ).toEqual([
      'config.yaml: models.b.aliases[0]: "small" is already used by models.a.aliases[0]; names and aliases must be unique',
    ]);
  });

  it('refuses an alias equal to the model name', () => {
    expect(problemsOf('models:\n  a: { modelPath: m/a, aliases: [a] }')).toEqual([
      'config.yaml: models.a.aliases[0]: "a" is the model\'s own name',
    ]);
  });

  it('refuses names and aliases with spaces', () => {
    const problems = problemsOf('models:\n  "my model": { modelPath: m/a, aliases: ["x y"] }');
    expect(problems).toEqual([
      'config.yaml: models["my model"]: a model name uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 128 characters (got "my model")',
      'config.yaml: models["my model"].aliases[0]: a model name uses letters, digits and . _ - : @ / +, starts with a letter or digit, and has at most 128 characters (got "x y")',
    ]);
  });

  it('resolves fallbacks given by alias to model names', () => {
    const { models } = compileYaml(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt, claude] }
  gpt-4o: { backend: openai, aliases: [gpt] }
  claude: { backend: anthropic }
`);
    expect(models[0]?.fallbacks).toEqual(['gpt-4o', 'claude']);
  });

  it('refuses fallbacks that name no configured model, itself, or the same model twice', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt4o, qwen, gpt-4o, gpt] }
  gpt-4o: { backend: openai, aliases: [gpt] }
`),
    ).toEqual([
      'config.yaml: models.qwen.fallbacks[0]: "gpt4o" is not a configured model; did you mean "gpt-4o"?',
      'config.yaml: models.qwen.fallbacks[1]: a model cannot fall back to itself',
      'config.yaml: models.qwen.fallbacks[3]: "gpt" is listed twice',
    ]);
  });

  it('does not call a fallback unknown when its own entry has problems', () => {
    expect(
      problemsOf(`
models:
  qwen: { modelPath: m/q, fallbacks: [gpt-4o] }
  gpt-4o: { backend: openai, url: "ftp://nope" }
`),
    ).toEqual([
      'config.yaml: models.gpt-4o.url: expected an http or https URL like "https://api.openai.com/v1" (got "ftp://nope")',
    ]);
  });
});
