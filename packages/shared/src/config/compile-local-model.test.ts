import { describe, expect, it } from 'vitest';
import { problemsOf, local } from '../testing/compile-yaml.js';

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
