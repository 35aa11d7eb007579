import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { runClaude, type ClaudeRun } from '../support/claude-cli.js';
import { TestGateway } from '../support/gateway.js';
import { startProxyWithEnv } from '../support/gateway-env.js';
import { standinModel } from '../support/processes.js';
import { requestLogLines } from '../support/request-log.js';
import { waitUntil } from '../support/wait.js';

// The real Claude Code CLI (`claude -p`, the pinned npm version, its native binary) pointed at
// the gateway: against a local model (the stand-in, behind the real supervisor; every request
// translated to chat completions) and against the fake Anthropic API (passed through). Each
// for a plain answer and for a tool loop: the model asks for Bash, the CLI runs it and sends
// the result back, the final answer quotes it.

const KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
const MARKER = 'claude-code-tool-loop-ok';
/** Asks the stand-in and the fake to call Bash (see their `call-tool:` rule). */
const TOOL_PROMPT = `Print the marker. call-tool:Bash {"command": "echo ${MARKER}", "description": "Print the marker"}`;

const gateway = new TestGateway();
let fake: FakeAnthropicApi;
let url: string;

beforeAll(async () => {
  fake = await FakeAnthropicApi.start({ apiKey: KEY, toolCalls: 'asked' });
  await gateway.configure(
    [
      // Enough tokens that the echo reaches the prompt after Claude Code's reminder text.
      standinModel('local-coder', {
        MLX_STANDIN_LOAD_MS: 100,
        MLX_STANDIN_TOOL_CALLS: 'asked',
        MLX_STANDIN_TOKENS: 300,
      }),
      `  cloud-claude:
    backend: anthropic
    url: ${fake.url}
    apiKey: "\${env:FAKE_ANTHROPIC_KEY}"
    allowPrivateNetwork: true
    upstreamModel: claude-sonnet-4-5
`,
    ].join(''),
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, { FAKE_ANTHROPIC_KEY: KEY });
}, 60_000);
afterAll(async () => {
  await gateway.stop();
  await fake.close();
});

let logged = 0;
let seen = 0;
beforeEach(() => {
  logged = requestLogLines(gateway.proxy?.lines ?? []).length;
  seen = fake.requests.length;
});

/** The gateway's request log lines written during this test. */
function requests(): Array<Record<string, unknown>> {
  return requestLogLines(gateway.proxy?.lines ?? []).slice(logged) as unknown as Array<
    Record<string, unknown>
  >;
}

/**
 * The request log lines of /v1/messages written during this test, once there are `count` of
 * them: a line is written when its response ends, and may reach the proxy's stdout after the
 * CLI has its answer and exited.
 */
async function messagesLines(count: number): Promise<Array<Record<string, unknown>>> {
  const lines = () => requests().filter((line) => line['path'] === '/v1/messages');
  await waitUntil(() => lines().length >= count, `${count} request log lines`);
  return lines();
}

function succeeded(run: ClaudeRun): NonNullable<ClaudeRun['result']> {
  expect(run.result, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBeDefined();
  const result = run.result as NonNullable<ClaudeRun['result']>;
  expect(result, run.stderr).toMatchObject({ type: 'result', subtype: 'success', is_error: false });
  expect(run.exitCode).toBe(0);
  return result;
}

describe('claude -p against a local model (translated)', () => {
  it('gets a plain answer', async () => {
    const run = await runClaude({
      baseUrl: url,
      model: 'local-coder',
      prompt: 'hello gateway world',
    });
    const result = succeeded(run);
    // The stand-in echoes the words of the user's message, the prompt among them.
    expect(result.result).toContain('hello gateway world');
    expect(result.num_turns).toBe(1);
    const lines = await messagesLines(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, target: 'local-coder', stream: true });
    expect(String(lines[0]?.['droppedFields'])).toContain('context_management');
  }, 90_000);

  it('runs a tool loop: the model calls Bash, the CLI runs it, the answer quotes the output', async () => {
    const run = await runClaude({
      baseUrl: url,
      model: 'local-coder',
      prompt: TOOL_PROMPT,
      allowedTools: ['Bash'],
    });
    const result = succeeded(run);
    expect(result.result).toContain(`Tool said: ${MARKER}`);
    expect(result.num_turns).toBe(2);
    expect(result.permission_denials).toEqual([]);
    const lines = await messagesLines(2);
    expect(lines.map((line) => line['status'])).toEqual([200, 200]);
  }, 90_000);
});

describe('claude -p against the Anthropic API (passed through)', () => {
  const received = () =>
    fake.requests.slice(seen).filter((request) => request.path === '/v1/messages');

  it('gets a plain answer, its request passed through unchanged', async () => {
    const run = await runClaude({
      baseUrl: url,
      model: 'cloud-claude',
      prompt: 'hello anthropic world',
    });
    const result = succeeded(run);
    expect(result.result).toContain('You said:');
    expect(result.result).toContain('hello anthropic world');
    const [request] = received();
    expect(received()).toHaveLength(1);
    // Everything Claude Code sends reaches Anthropic as it was, only the model id replaced.
    expect(request?.body).toMatchObject({ model: 'claude-sonnet-4-5', stream: true });
    expect(request?.body?.['max_tokens']).toBe(32_000);
    expect(request?.body).toHaveProperty('context_management');
    expect(request?.body).toHaveProperty('thinking');
    expect(request?.headers['anthropic-beta']).toContain('claude-code-20250219');
    expect(request?.headers['x-api-key']).toBe(KEY);
    const lines = await messagesLines(1);
    expect(lines[0]).toMatchObject({ status: 200, target: 'cloud-claude' });
    expect(lines[0]?.['droppedFields']).toBeUndefined();
  }, 90_000);

  it('runs a tool loop through the pass-through', async () => {
    const run = await runClaude({
      baseUrl: url,
      model: 'cloud-claude',
      prompt: TOOL_PROMPT,
      allowedTools: ['Bash'],
    });
    const result = succeeded(run);
    expect(result.result).toContain(`Tool said: ${MARKER}`);
    expect(result.num_turns).toBe(2);
    const [first, second] = received();
    expect(received()).toHaveLength(2);
    const tools = first?.body?.['tools'] as Array<{ name: string }>;
    expect(tools.map((tool) => tool.name)).toContain('Bash');
    expect(second?.raw).toContain('"type":"tool_result"');
    expect(second?.raw).toContain(MARKER);
  }, 90_000);
});
