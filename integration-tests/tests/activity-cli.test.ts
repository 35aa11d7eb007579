import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '@mlx-gateway/proxy';
import { runCli } from '../support/cli.js';
import { Cleanup, cliMain, tempHome } from '../support/processes.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

function record(id: string, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    v: 1,
    time: '2026-12-04T10:00:00.000Z',
    requestId: id,
    api: 'openai.chat',
    stream: false,
    model: 'qwen',
    resolvedModel: 'qwen-7b',
    backend: 'local',
    attempts: [{ target: 'qwen-7b', backend: 'local', outcome: 'ok', durationMs: 40 }],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 42,
    bytesIn: 100,
    bytesOut: 900,
    usage: { input: 12, output: 30, cacheRead: 0, cacheWrite: 0 },
    ...fields,
  };
}

const lines = (records: AuditRecord[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** A home whose audit directory has two days of records (one of them rotated). */
function homeWithAudit(config = ''): string {
  const home = tempHome();
  cleanup.dir(home);
  if (config !== '') writeFileSync(join(home, 'config.yaml'), config);
  return home;
}

function writeAudit(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'audit-2026-12-03.jsonl'),
    lines([record('a1', { time: '2026-12-03T09:00:00.000Z', client: 'ci' })]),
  );
  writeFileSync(
    join(dir, 'audit-2026-12-04.jsonl'),
    lines([
      record('b1', { client: 'alice' }),
      record('b2', {
        status: 404,
        model: 'nope',
        resolvedModel: undefined,
        attempts: [],
        errorCode: 'MODEL_NOT_FOUND',
      }),
    ]),
  );
  writeFileSync(
    join(dir, 'audit-2026-12-04.1.jsonl'),
    lines([
      record('c1', {
        time: '2026-12-04T11:00:00.000Z',
        stream: true,
        complete: false,
        incomplete: 'client_closed',
        status: 200,
        client: 'ci',
      }),
    ]),
  );
}

const ids = (stdout: string): string[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as AuditRecord).requestId);

describe('mlx-gateway activity', () => {
  it('prints the last records as a table, across rotated files', async () => {
    const home = homeWithAudit();
    writeAudit(join(home, 'audit'));
    const result = await runCli(home, ['activity', '-n', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TIME\s+STATUS\s+API\s+MODEL\s+CLIENT\s+DURATION\s+TTFT\s+TOKENS/);
    // The header and the last three records (a1, of the day before, is left out).
    expect(rows).toHaveLength(4);
    expect(rows[1]).toContain('qwen → qwen-7b');
    expect(rows[1]).toContain('alice');
    expect(rows[1]).toContain('12/30');
    expect(rows[2]).toContain('MODEL_NOT_FOUND');
    expect(rows[3]).toContain('incomplete: client_closed');
  });

  it('filters by model, client key, status, time and completeness, as JSON lines', async () => {
    const home = homeWithAudit();
    writeAudit(join(home, 'audit'));
    const run = async (...args: string[]) => {
      const result = await runCli(home, ['activity', '--json', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return ids(result.stdout);
    };
    expect(await run()).toEqual(['a1', 'b1', 'b2', 'c1']);
    expect(await run('--client', 'ci')).toEqual(['a1', 'c1']);
    expect(await run('--model', 'nope')).toEqual(['b2']);
    expect(await run('--model', 'qwen-7b', '-n', '2')).toEqual(['b1', 'c1']);
    expect(await run('--status', '4xx')).toEqual(['b2']);
    expect(await run('--incomplete')).toEqual(['c1']);
    expect(await run('--since', '2026-12-04T00:00:00Z', '--until', '2026-12-04T10:30:00Z')).toEqual(
      ['b1', 'b2'],
    );
  });

  it('reads the directory set by audit.dir, and explains bad filters in its own words', async () => {
    const home = homeWithAudit('audit:\n  dir: elsewhere/records\n');
    writeAudit(join(home, 'elsewhere', 'records'));
    const ok = await runCli(home, ['activity', '--json', '-n', '1']);
    expect(ids(ok.stdout)).toEqual(['c1']);
    const bad = await runCli(home, ['activity', '--since', 'yesterday-ish']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--since "yesterday-ish" is neither a time .* nor a duration ago/);
    const empty = await runCli(homeWithAudit(), ['activity']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/no matching records in .*audit/);
  });

  it('follows (-f): prints records appended after it started, filtered', async () => {
    const home = homeWithAudit();
    const dir = join(home, 'audit');
    writeAudit(dir);
    const child = spawn(
      process.execPath,
      [cliMain, 'activity', '-f', '--json', '-n', '1', '--client', 'ci'],
      {
        env: { ...process.env, MLX_GATEWAY_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const seen: string[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      seen.push((JSON.parse(line) as AuditRecord).requestId);
      for (const wake of waiters.splice(0)) wake();
    });
    const until = async (count: number): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`saw only ${seen.join(', ')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1_000).unref();
        });
      }
    };
    const following = new Promise<void>((resolve) =>
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (line.startsWith('following ')) resolve();
      }),
    );
    try {
      await following;
      await until(1);
      expect(seen).toEqual(['c1']);
      appendFileSync(
        join(dir, 'audit-2026-12-04.1.jsonl'),
        lines([record('d1', { client: 'bob' })]),
      );
      writeFileSync(join(dir, 'audit-2026-12-05.jsonl'), lines([record('e1', { client: 'ci' })]));
      await until(2);
      expect(seen).toEqual(['c1', 'e1']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
