import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execa } from 'execa';
import { tempHome } from './processes.js';

const require = createRequire(import.meta.url);
/** The Codex CLI installed from npm (`@openai/codex`, pinned in package.json; native binary). */
export const codexMain = require.resolve('@openai/codex/bin/codex.js');

/**
 * What the stand-in (`example`) and the fake Anthropic API (`example-<property>`) put in the
 * `cmd` argument when they call Codex's shell tool: both exist as commands on Codex's PATH.
 */
export const EXAMPLE_COMMANDS = ['example', 'example-cmd'];

export interface CodexRun {
  exitCode: number | undefined;
  /** What `codex exec` printed on stdout: the final answer. */
  stdout: string;
  stderr: string;
  /** The final message, as written by `--output-last-message`. */
  lastMessage: string;
}

/**
 * A temporary `CODEX_HOME` whose config points Codex at the gateway as a custom model provider
 * speaking the Responses API, with analytics and telemetry off, and a working directory whose
 * PATH holds `example` commands: the commands the stand-in and the fake Anthropic API ask
 * Codex to run when they call its shell tool (they fill string arguments with "example").
 */
export class CodexHome {
  readonly dir = tempHome();
  readonly home = join(this.dir, 'codex-home');
  readonly work = join(this.dir, 'work');
  readonly bin = join(this.dir, 'bin');

  constructor(gatewayUrl: string, model: string) {
    for (const dir of [this.home, this.work, this.bin]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(this.home, 'config.toml'),
      `model = ${JSON.stringify(model)}
model_provider = "gateway"
check_for_update_on_startup = false

[model_providers.gateway]
name = "mlx-gateway"
base_url = ${JSON.stringify(`${gatewayUrl}/v1`)}
env_key = "MLX_GATEWAY_TEST_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false

[otel]
exporter = "none"
`,
    );
    // Codex runs commands in a login shell, which sets PATH from the profile files.
    writeFileSync(join(this.dir, '.bash_profile'), `export PATH="${this.bin}:$PATH"\n`);
    for (const name of EXAMPLE_COMMANDS) {
      const command = join(this.bin, name);
      writeFileSync(command, '#!/bin/sh\necho "the example tool ran in $(pwd)"\n');
      chmodSync(command, 0o755);
    }
  }

  /**
   * Runs `codex exec` non-interactively: no sandbox or approval prompts, no session files, no
   * git check, stdin closed. Any traffic not to loopback goes to a dead proxy, so a request
   * that leaves the machine fails instead of reaching the internet.
   */
  async exec(prompt: string, timeoutMs = 60_000): Promise<CodexRun> {
    const lastFile = join(this.dir, 'last-message.txt');
    const result = await execa(
      process.execPath,
      [
        codexMain,
        'exec',
        '--skip-git-repo-check',
        '--ephemeral',
        '--dangerously-bypass-approvals-and-sandbox',
        '--color',
        'never',
        '--output-last-message',
        lastFile,
        prompt,
      ],
      {
        cwd: this.work,
        stdin: 'ignore',
        reject: false,
        timeout: timeoutMs,
        env: {
          CODEX_HOME: this.home,
          HOME: this.dir,
          PATH: `${this.bin}:${process.env['PATH'] ?? ''}`,
          MLX_GATEWAY_TEST_KEY: 'any-key',
          HTTPS_PROXY: 'http://127.0.0.1:9',
          HTTP_PROXY: 'http://127.0.0.1:9',
          NO_PROXY: '127.0.0.1,localhost',
          RUST_LOG: 'error',
        },
        extendEnv: false,
      },
    );
    let lastMessage = '';
    try {
      lastMessage = readFileSync(lastFile, 'utf8');
    } catch {
      // no final message: the run failed (stderr says why)
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, lastMessage };
  }
}
