// The stand-in's command line and environment: what a supervisor passes must be accepted or
// refused exactly as mlx-openai-server v1.8 would.
import { describe, expect, it } from 'vitest';
import {
  BehaviourError,
  behaviourForRequest,
  behaviourFromEnv,
  DEFAULT_REQUEST_BEHAVIOUR,
} from '../standin/behaviour.js';
import { parseLaunchArgs, type CliOutcome, type LaunchOptions } from '../standin/cli.js';

function launched(outcome: CliOutcome): LaunchOptions {
  if (outcome.kind !== 'launch')
    throw new Error(`expected a launch, got ${JSON.stringify(outcome)}`);
  return outcome.options;
}

function usageError(outcome: CliOutcome): string {
  if (outcome.kind !== 'usage-error')
    throw new Error(`expected a usage error, got ${outcome.kind}`);
  expect(outcome.exitCode).toBe(2);
  expect(outcome.stderr).toMatch(/^usage: mlx-openai-server/);
  return outcome.stderr;
}

describe('stand-in CLI', () => {
  it('applies the real defaults: lm, port 8000, host 0.0.0.0, queue 300 s / 100', () => {
    const options = launched(parseLaunchArgs(['launch', '--model-path', 'org/model']));
    expect(options).toMatchObject({
      modelPath: 'org/model',
      modelType: 'lm',
      port: 8000,
      host: '0.0.0.0',
      queueTimeout: 300,
      queueSize: 100,
      logLevel: 'INFO',
      enableAutoToolChoice: false,
      noLogFile: false,
    });
    expect(options.servedModelName).toBeUndefined();
  });

  it('accepts every supported flag, in both --flag value and --flag=value forms', () => {
    const options = launched(
      parseLaunchArgs([
        'launch',
        '--model-path=/models/q',
        '--model-type',
        'embeddings',
        '--host',
        '127.0.0.1',
        '--port=10240',
        '--context-length',
        '8192',
        '--served-model-name',
        'qwen',
        '--queue-timeout',
        '900',
        '--queue-size',
        '5',
        '--tool-call-parser',
        'qwen3',
        '--reasoning-parser',
        'qwen3',
        '--enable-auto-tool-choice',
        '--trust-remote-code',
        '--chat-template-file',
        '/t.jinja',
        '--log-file',
        '/tmp/x.log',
        '--no-log-file',
        '--log-level',
        'debug',
        '--max-tokens',
        '64',
        '--temperature',
        '0.7',
        '--top-p',
        '0.9',
        '--top-k',
        '40',
      ]),
    );
    expect(options).toEqual({
      modelPath: '/models/q',
      modelType: 'embeddings',
      host: '127.0.0.1',
      port: 10240,
      contextLength: 8192,
      servedModelName: 'qwen',
      queueTimeout: 900,
      queueSize: 5,
      toolCallParser: 'qwen3',
      reasoningParser: 'qwen3',
      enableAutoToolChoice: true,
      trustRemoteCode: true,
      chatTemplateFile: '/t.jinja',
      logFile: '/tmp/x.log',
      noLogFile: true,
      logLevel: 'DEBUG',
      maxTokens: 64,
      temperature: 0.7,
      topP: 0.9,
      topK: 40,
    });
  });

  it('implies the launch subcommand when the first argument is an option', () => {
    expect(launched(parseLaunchArgs(['--model-path', 'm', '--port', '9'])).port).toBe(9);
  });

  it.each([
    [['--max-concurrency', '4'], 'unrecognized arguments: --max-concurrency 4'],
    [['--message-converter', 'glm4_moe'], 'unrecognized arguments: --message-converter glm4_moe'],
    [['--max-concurrency=4'], 'unrecognized arguments: --max-concurrency=4'],
    [['stray'], 'unrecognized arguments: stray'],
  ])('refuses removed or unknown flags %j with exit code 2', (extra, message) => {
    const stderr = usageError(parseLaunchArgs(['launch', '--model-path', 'm', ...extra]));
    expect(stderr).toContain(`mlx-openai-server launch: error: ${message}`);
  });

  it.each([
    [['launch'], 'the following arguments are required: --model-path'],
    [['launch', '--model-path', 'm', '--port', 'abc'], "argument --port: invalid int value: 'abc'"],
    [
      ['launch', '--model-path', 'm', '--model-type', 'llm'],
      "argument --model-type: invalid choice: 'llm'",
    ],
    [
      ['launch', '--model-path', 'm', '--temperature', 'hot'],
      "argument --temperature: invalid float value: 'hot'",
    ],
    [['launch', '--model-path', '--port', '1'], 'argument --model-path: expected one argument'],
    [['launch', '--model-path', 'm', '--port'], 'argument --port: expected one argument'],
    [
      ['launch', '--model-path', 'm', '--trust-remote-code=yes'],
      "argument --trust-remote-code: ignored explicit argument 'yes'",
    ],
  ])('reports %j as a usage error', (argv, message) => {
    expect(usageError(parseLaunchArgs(argv))).toContain(message);
  });

  it('refuses an unknown subcommand', () => {
    const outcome = parseLaunchArgs(['serve', '--model-path', 'm']);
    expect(outcome.kind === 'usage-error' && outcome.stderr).toContain(
      "invalid choice: 'serve' (choose from 'launch')",
    );
  });

  it('prints help for -h', () => {
    const outcome = parseLaunchArgs(['launch', '-h']);
    expect(outcome.kind).toBe('help');
    expect(outcome.kind === 'help' && outcome.text).toContain('--served-model-name');
  });
});

describe('stand-in behaviour from the environment', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(behaviourFromEnv({})).toEqual({
      process: {
        loadMs: 300,
        progressMs: 15_000,
        fail: 'none',
        ignoreSigterm: false,
        grandchild: false,
        rssMb: 0,
      },
      request: DEFAULT_REQUEST_BEHAVIOUR,
    });
  });

  it('reads every MLX_STANDIN_* variable', () => {
    const behaviour = behaviourFromEnv({
      MLX_STANDIN_LOAD_MS: '1200',
      MLX_STANDIN_PROGRESS_MS: '50',
      MLX_STANDIN_FAIL: 'never-ready',
      MLX_STANDIN_IGNORE_SIGTERM: '1',
      MLX_STANDIN_GRANDCHILD: '1',
      MLX_STANDIN_RSS_MB: '64',
      MLX_STANDIN_TOKEN_MS: '5',
      MLX_STANDIN_FIRST_TOKEN_MS: '70',
      MLX_STANDIN_TOKENS: '3',
      MLX_STANDIN_STREAM: 'break-after:2',
      MLX_STANDIN_REASONING: '1',
      MLX_STANDIN_PARALLEL_TOOLS: '1',
      MLX_STANDIN_TOOL_CALLS: 'asked',
    });
    expect(behaviour).toEqual({
      process: {
        loadMs: 1200,
        progressMs: 50,
        fail: 'never-ready',
        ignoreSigterm: true,
        grandchild: true,
        rssMb: 64,
      },
      request: {
        tokenMs: 5,
        firstTokenMs: 70,
        tokens: 3,
        stream: { kind: 'break-after', after: 2 },
        reasoning: true,
        parallelTools: true,
        toolCalls: 'asked',
      },
    });
  });

  it.each([
    ['MLX_STANDIN_LOAD_MS', '-1'],
    ['MLX_STANDIN_TOKENS', '0'],
    ['MLX_STANDIN_FAIL', 'explode'],
    ['MLX_STANDIN_STREAM', 'stall-after:x'],
    ['MLX_STANDIN_STREAM', 'hang'],
    ['MLX_STANDIN_GRANDCHILD', 'maybe'],
    ['MLX_STANDIN_TOOL_CALLS', 'sometimes'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => behaviourFromEnv({ [name]: value })).toThrow(BehaviourError);
    expect(() => behaviourFromEnv({ [name]: value })).toThrow(name);
  });

  it('lets x-standin-* headers override one request', () => {
    const behaviour = behaviourForRequest(DEFAULT_REQUEST_BEHAVIOUR, {
      'x-standin-token-ms': '25',
      'x-standin-first-token-ms': '100',
      'x-standin-tokens': '4',
      'x-standin-stream': 'stall-after:1',
      'x-standin-reasoning': 'true',
      'x-standin-parallel-tools': '1',
      'x-standin-tool-calls': 'asked',
    });
    expect(behaviour).toEqual({
      tokenMs: 25,
      firstTokenMs: 100,
      tokens: 4,
      stream: { kind: 'stall-after', after: 1 },
      reasoning: true,
      parallelTools: true,
      toolCalls: 'asked',
    });
    expect(() =>
      behaviourForRequest(DEFAULT_REQUEST_BEHAVIOUR, { 'x-standin-tokens': 'lots' }),
    ).toThrow('x-standin-tokens');
  });
});
