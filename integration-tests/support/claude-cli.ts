import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * The real Claude Code CLI (`@anthropic-ai/claude-code`, pinned in package.json), run in print
 * mode against the gateway: telemetry, auto-update, error reporting and other non-essential
 * traffic off, a temporary HOME and config dir, and a proxy on a closed loopback port for
 * anything that is not loopback, so nothing leaves the machine.
 */

const require = createRequire(import.meta.url);

/** The native binary the package's postinstall puts in place of its placeholder script. */
export function claudeBinary(): string {
  const bin = join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin');
  const path = join(bin, 'claude.exe');
  // The placeholder is a short shell script; the native build is hundreds of megabytes.
  if (statSync(path).size < 1_000_000) {
    throw new Error(
      `${path} is the placeholder, not the native binary: the package's postinstall did not run (pnpm's onlyBuiltDependencies must allow @anthropic-ai/claude-code); run 'node ${join(bin, '..', 'install.cjs')}'`,
    );
  }
  return path;
}

/** What `claude -p --output-format json` prints: the final result of the session. */
export interface ClaudeResult {
  type: 'result';
  subtype: string;
  is_error: boolean;
  result: string;
  num_turns: number;
  permission_denials: unknown[];
}

export interface ClaudeRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** The parsed result, when stdout holds one. */
  result: ClaudeResult | undefined;
}

export interface ClaudeRunOptions {
  /** The gateway's URL (loopback). */
  baseUrl: string;
  /** The gateway model name (`--model`). */
  model: string;
  prompt: string;
  /** Tools the CLI may run without asking (`--allowedTools`). */
  allowedTools?: readonly string[];
  timeoutMs?: number;
}

/** A port nothing listens on: the proxy every non-loopback connection would have to use. */
const CLOSED_PROXY = 'http://127.0.0.1:9';

/** Runs `claude -p` once in a fresh temporary home and working directory, removed afterwards. */
export async function runClaude(options: ClaudeRunOptions): Promise<ClaudeRun> {
  const root = mkdtempSync(join(tmpdir(), 'mlxgw-claude-'));
  const home = join(root, 'home');
  const work = join(root, 'work');
  mkdirSync(home);
  mkdirSync(work);
  try {
    const args = [
      '-p',
      options.prompt,
      '--model',
      options.model,
      '--output-format',
      'json',
      '--no-session-persistence',
      '--strict-mcp-config',
    ];
    if (options.allowedTools !== undefined) args.push('--allowedTools', ...options.allowedTools);
    const run = await execa(claudeBinary(), args, {
      cwd: work,
      extendEnv: false,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_CACHE_HOME: join(home, '.cache'),
        TMPDIR: root,
        ANTHROPIC_BASE_URL: options.baseUrl,
        ANTHROPIC_API_KEY: 'gateway-client-key',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        HTTP_PROXY: CLOSED_PROXY,
        HTTPS_PROXY: CLOSED_PROXY,
        NO_PROXY: '127.0.0.1,localhost',
      },
      stdin: 'ignore',
      reject: false,
      timeout: options.timeoutMs ?? 60_000,
      forceKillAfterDelay: 2_000,
    });
    let result: ClaudeResult | undefined;
    try {
      result = JSON.parse(run.stdout) as ClaudeResult;
    } catch {
      result = undefined;
    }
    return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, result };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
