import { spawn } from 'node:child_process';
import { cliMain } from './processes.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string;
  env?: Record<string, string>;
  /** An installed `mlx-gateway` executable to run instead of the workspace's dist/main.js. */
  bin?: string;
  cwd?: string;
}

/**
 * Runs `mlx-gateway ARGS` for a gateway home without blocking the event loop (fakes served by
 * the test process keep answering), with `input` written to its stdin (then closed).
 */
export function runCli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = options.bin
      ? [options.bin, args]
      : [process.execPath, [cliMain, ...args]];
    const child = spawn(command, argv, {
      env: { ...process.env, MLX_GATEWAY_HOME: home, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
