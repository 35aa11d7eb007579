import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

/**
 * The exit path of a process that logs with the project's buffered logger, run for real:
 * every line logged before exit must reach the pipe or file. Regression for the exit-flush race
 * fixed in 68359b9: SonicBoom with minLength 0 called flush's callback while a write was still
 * under way ('flush-check' sees it every time with minLength 0; at a plain exit pino's exit hook
 * happens to cover for it, so the other cases guard the exit paths themselves).
 */
const fixture = join(repoRoot, 'integration-tests/fixtures/log-then-exit.mjs');
const LINES = 10_000;

const dirs: string[] = [];
const running = new Set<number>();
afterEach(() => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'close').then(([code]) => {
    running.delete(child.pid!);
    return code as number | null;
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The numbers of the fixture's lines, checked to be exactly 0..count-1 with no line torn. */
function expectEveryLine(text: string, count: number): void {
  const numbers = text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { msg: string; n?: number })
    .filter((line) => line.msg === 'fixture line')
    .map((line) => line.n);
  expect(numbers.length).toBe(count);
  expect(numbers.every((n, i) => n === i)).toBe(true);
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlxgw-log-'));
  dirs.push(dir);
  return join(dir, 'fixture.log');
}

describe('a buffered logger loses no line at exit', () => {
  it.each(['exit', 'flush-exit'])('to a pipe, %s', async (mode) => {
    const p = run([mode, String(LINES)]);
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toBe('');
    expectEveryLine(p.stdout(), LINES);
  });

  it.each(['exit', 'flush-exit'])('to a file, %s', async (mode) => {
    const file = tempFile();
    const p = run([mode, String(LINES), file]);
    expect(await p.exited).toBe(0);
    expectEveryLine(readFileSync(file, 'utf8'), LINES);
  });

  it('logger.flush calls back only once every line is written (the exit path waits on it)', async () => {
    const file = tempFile();
    const lines = 2_000;
    const p = run(['flush-check', String(lines), file]);
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toBe(`lines at flush callback: ${lines}\n`);
    expectEveryLine(readFileSync(file, 'utf8'), lines);
  });

  it('on SIGTERM, logging the second half in the handler, to a pipe', async () => {
    const p = run(['signal', String(LINES)]);
    await waitUntil(() => p.stdout().includes('waiting for SIGTERM'), 'the fixture to wait');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expectEveryLine(p.stdout(), LINES);
  });

  it('on SIGTERM, logging the second half in the handler, to a file', async () => {
    const file = tempFile();
    const p = run(['signal', String(LINES), file]);
    await waitUntil(
      () => readFileIfAny(file).includes('waiting for SIGTERM'),
      'the fixture to wait',
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expectEveryLine(readFileSync(file, 'utf8'), LINES);
  });
});

function readFileIfAny(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
