import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { CodexHome } from '../support/codex-cli.js';
import { TestGateway } from '../support/gateway.js';
import { startProxyWithEnv } from '../support/gateway-env.js';
import { standinModel } from '../support/processes.js';

// The real Codex CLI (npm @openai/codex, pinned; its native binary) pointed at the gateway as a
// custom model provider speaking the Responses API, as its users configure it: `codex exec`
// against a local model (the stand-in) and against the Anthropic backend (the fake API), for a
// plain answer and a tool loop (the model calls Codex's shell tool, Codex runs the command and
// sends its output back, the model's final answer comes back). Every URL is loopback.

const KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
const gateway = new TestGateway();
let fake: FakeAnthropicApi;
let url: string;

beforeAll(async () => {
  fake = await FakeAnthropicApi.start({ apiKey: KEY });
  await gateway.configure(
    [
      standinModel('local-chat', { MLX_STANDIN_LOAD_MS: 100, MLX_STANDIN_TOOL_CALLS: 'asked' }),
      standinModel('local-agent', { MLX_STANDIN_LOAD_MS: 100, MLX_STANDIN_TOKENS: 64 }),
      standinModel('local-thinker', {
        MLX_STANDIN_LOAD_MS: 100,
        MLX_STANDIN_TOOL_CALLS: 'asked',
        MLX_STANDIN_REASONING: 1,
      }),
      `  claude:
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

function codexFor(model: string): CodexHome {
  const codex = new CodexHome(url, model);
  gateway.cleanup.dir(codex.dir);
  return codex;
}

describe('codex exec through the gateway', () => {
  it('gets a plain answer from a local model', async () => {
    const run = await codexFor('local-chat').exec('reply with a greeting');
    expect(run.stderr).not.toMatch(/\berror\b/i);
    expect(run.exitCode).toBe(0);
    // The stand-in echoes the last user message (Codex's prompt), cycled to its token count.
    expect(run.lastMessage).toMatch(/^reply with a greeting/);
  }, 90_000);

  it('takes a reasoning summary stream from a local reasoning model', async () => {
    const run = await codexFor('local-thinker').exec('reply with a greeting');
    expect(run.exitCode).toBe(0);
    expect(run.lastMessage).toMatch(/^reply with a greeting/);
    // Codex prints the reasoning summary it received as a "thinking" block.
    expect(`${run.stdout}\n${run.stderr}`).toContain('Let me think about this.');
  }, 90_000);

  it('runs a tool loop with a local model: the shell tool runs, its output comes back', async () => {
    const run = await codexFor('local-agent').exec('run the example command');
    expect(run.exitCode).toBe(0);
    // The stand-in called exec_command with cmd "example"; Codex ran it in its working directory
    // and sent the output back; the stand-in answers "Tool said: <output>".
    expect(run.lastMessage).toMatch(/^Tool said: .*the example tool ran in \/.*\/work/s);
  }, 90_000);

  it('gets a plain answer from the Anthropic backend', async () => {
    const before = fake.requests.length;
    fake.toolCalls = 'asked';
    try {
      const run = await codexFor('claude').exec('reply with a greeting');
      expect(run.exitCode).toBe(0);
      expect(run.lastMessage).toMatch(/^You said: .*reply with a greeting/s);
    } finally {
      fake.toolCalls = 'auto';
    }
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe('/v1/messages');
    expect(sent[0]?.headers['x-api-key']).toBe(KEY);
    // Codex's developer messages became the system prompt; its tools went as Anthropic tools.
    expect((sent[0]?.body as Record<string, unknown> | undefined)?.['system']).toBeDefined();
    const tools = (sent[0]?.body as { tools: { name: string }[] }).tools;
    expect(tools.map((tool) => tool.name)).toContain('exec_command');
    // The namespace group was flattened; the built-in web_search tool was dropped.
    expect(tools.map((tool) => tool.name)).toContain('spawn_agent');
    expect(tools.map((tool) => tool.name)).not.toContain('web_search');
  }, 90_000);

  it('runs a tool loop with the Anthropic backend', async () => {
    const before = fake.requests.length;
    const run = await codexFor('claude').exec('run the example command');
    expect(run.exitCode).toBe(0);
    // The fake called exec_command {cmd: "example"} (and write_stdin beside it, in parallel);
    // Codex ran them and sent both results; the fake answers with the first.
    expect(run.lastMessage).toMatch(/^Tool said: .*the example tool ran in \/.*\/work/s);
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(2);
    const { messages } = sent[1]?.body as { messages: unknown[] };
    const results = JSON.stringify(messages.at(-1));
    expect(results).toContain('tool_result');
    expect(results).toContain('the example tool ran');
  }, 90_000);
});
