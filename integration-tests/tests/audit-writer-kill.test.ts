import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listAuditFiles } from '@mlx-gateway/proxy';
import type { AuditRecord } from '@mlx-gateway/proxy';
import { Cleanup, repoRoot, startNode, tempHome } from '../support/processes.js';

const fixture = join(repoRoot, 'integration-tests/dist/fixtures/audit-writer-main.js');
/** The fixture's top rate: 5 records every 5 ms. */
const RECORDS_PER_SECOND = 1000;
/** A quarter of a second more, for a flush timer that fires late. */
const SLACK_RECORDS = 250;

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Every line of every audit file, in file order; a line that does not parse fails the test. */
async function readAll(dir: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (const file of await listAuditFiles(dir)) {
    const text = readFileSync(file.path, 'utf8');
    expect(text === '' || text.endsWith('\n'), `${file.name} ends with a whole line`).toBe(true);
    for (const line of text.split('\n')) {
      if (line !== '') records.push(JSON.parse(line) as AuditRecord);
    }
  }
  return records;
}

function expectContiguous(records: AuditRecord[]): void {
  records.forEach((record, i) => expect(record.requestId).toBe(`seq-${i}`));
}

function startWriter(): { dir: string; proc: ReturnType<typeof startNode> } {
  const home = tempHome();
  cleanup.dir(home);
  const dir = join(home, 'audit');
  const proc = startNode(fixture, [dir], {});
  cleanup.group(proc.pid);
  return { dir, proc };
}

describe('audit writer process', () => {
  it('killed with SIGKILL, loses at most its last second of records, and no line is torn', async () => {
    const { dir, proc } = startWriter();
    await proc.waitForLine(/^handed 3\d{3} /);
    process.kill(proc.pid, 'SIGKILL');
    await proc.exited;
    // The last batch the process handed to its writer before it died (its pipe delivers every
    // line written before the kill).
    const handed = Number(
      proc.lines
        .filter((l) => l.startsWith('handed '))
        .at(-1)!
        .split(' ')[1],
    );
    const records = await readAll(dir);
    expect(records.length).toBeGreaterThan(0);
    expectContiguous(records);
    // The fixture hands at most RECORDS_PER_SECOND: the loss is at most one second of them. (In
    // records, not in wall time: a loaded machine can leave the process unscheduled for seconds,
    // which no writer can make up for, and which slows the producer just as much.)
    expect(handed - records.length).toBeLessThanOrEqual(RECORDS_PER_SECOND + SLACK_RECORDS);
    // The run crossed file rotations (256 KiB files).
    expect((await listAuditFiles(dir)).length).toBeGreaterThan(1);
  });

  it('stopped gracefully (SIGTERM, then close()), loses none', async () => {
    const { dir, proc } = startWriter();
    await proc.waitForLine(/^handed 1\d{3} /);
    process.kill(proc.pid, 'SIGTERM');
    const total = Number((await proc.waitForLine(/^handed-total \d+$/)).split(' ')[1]);
    expect(await proc.exited).toBe(0);
    const records = await readAll(dir);
    expect(records).toHaveLength(total);
    expectContiguous(records);
  });
});
