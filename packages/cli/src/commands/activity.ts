import { join } from 'node:path';
import type { Command } from 'commander';
import { AuditTail, matchesQuery, readLastRecords, statusFilterProblem } from '@mlx-gateway/proxy';
import type { AuditQuery, AuditRecord } from '@mlx-gateway/proxy';
import { resolveHome } from '@mlx-gateway/shared/paths';
import { parseDuration } from '@mlx-gateway/shared/units';
import { table } from '../format.js';
import { configFor } from './control.js';
import { openActivityStream, readsStream } from './activity-stream.js';
import type { ActivityStream } from './activity-stream.js';
import type { GlobalOptions } from './control.js';

interface ActivityOptions extends GlobalOptions {
  lines?: string;
  model?: string;
  client?: string;
  status?: string;
  since?: string;
  until?: string;
  incomplete?: boolean;
  json?: boolean;
  follow?: boolean;
  files?: boolean;
}

/** `mlx-gateway activity`: the last requests from the audit log, filtered; `-f` follows. */
export function registerActivityCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('activity')
    .description('the last requests from the audit log (who, which model, status, timings, tokens)')
    .option('-n, --lines <n>', 'number of records', '20')
    .option('--model <name>', 'requested or resolved model')
    .option('--client <name>', 'client key name')
    .option('--status <status>', 'a status (404), a class (5xx) or "error"')
    .option('--since <time>', 'an ISO time, or a duration ago ("10m", "2h", "1d")')
    .option('--until <time>', 'an ISO time, or a duration ago')
    .option('--incomplete', 'only responses that ended early')
    .option('--json', 'one JSON record per line')
    .option('-f, --follow', 'keep printing records as requests end (Ctrl-C stops)')
    .option('--files', "read this machine's audit files even when a Redis stream is configured")
    .action((o: ActivityOptions) => activity({ ...global(), ...o }));
}

export async function activity(opts: ActivityOptions, now = Date.now()): Promise<void> {
  const limit = Number(opts.lines ?? '20');
  if (!Number.isInteger(limit) || limit < 0) {
    throw new Error(`--lines "${opts.lines}" is not a whole number of records`);
  }
  const query = queryOf(opts, now);
  const config = configFor(opts);
  if (opts.files !== true && readsStream(config)) {
    await activityFromStream(await openActivityStream(config), opts, query, limit);
    return;
  }
  const dir = config.audit?.dir ?? join(resolveHome(), 'audit');
  // Following starts before the last records are read, so that nothing appended in between is
  // missed; what both saw is printed once.
  const follower = opts.follow === true ? await startFollowing(dir, query) : undefined;
  const records = await readLastRecords(dir, query, limit);
  const print = opts.json === true ? printJson : printTable(records);
  for (const record of records) print(record);
  if (follower !== undefined) {
    process.stderr.write(`following ${dir} (Ctrl-C stops)\n`);
    await follower.run(print, new Set(records.map((r) => r.requestId)));
  } else if (records.length === 0 && opts.json !== true) {
    process.stdout.write(`no matching records in ${dir}\n`);
  }
}

/** The same listing and following, from the shared Redis stream of every proxy. */
async function activityFromStream(
  stream: ActivityStream,
  opts: ActivityOptions,
  query: AuditQuery,
  limit: number,
): Promise<void> {
  try {
    const { records, lastId } = await stream.readLast(query, limit);
    const print = opts.json === true ? printJson : printTable(records);
    for (const record of records) print(record);
    if (opts.follow === true) {
      process.stderr.write(`following ${stream.source} (Ctrl-C stops)\n`);
      await stream.follow(lastId, query, print);
    } else if (records.length === 0 && opts.json !== true) {
      process.stdout.write(`no matching records in ${stream.source}\n`);
    }
  } finally {
    stream.close();
  }
}

function queryOf(opts: ActivityOptions, now: number): AuditQuery {
  const query: AuditQuery = {};
  if (opts.model !== undefined) query.model = opts.model;
  if (opts.client !== undefined) query.client = opts.client;
  if (opts.status !== undefined) {
    const problem = statusFilterProblem(opts.status);
    if (problem !== undefined) throw new Error(problem);
    query.status = opts.status;
  }
  if (opts.since !== undefined) query.since = timeOf('--since', opts.since, now);
  if (opts.until !== undefined) query.until = timeOf('--until', opts.until, now);
  if (opts.incomplete === true) query.incompleteOnly = true;
  return query;
}

function timeOf(flag: string, text: string, now: number): number {
  try {
    return now - parseDuration(text);
  } catch {
    const at = Date.parse(text);
    if (Number.isNaN(at)) {
      throw new Error(
        `${flag} "${text}" is neither a time (2026-12-04T10:00:00Z) nor a duration ago (10m)`,
      );
    }
    return at;
  }
}

interface Follower {
  /** Prints what was followed so far (but `printed`), then every new record until a signal. */
  run(print: (record: AuditRecord) => void, printed: ReadonlySet<string>): Promise<void>;
}

async function startFollowing(dir: string, query: AuditQuery): Promise<Follower> {
  const held: AuditRecord[] = [];
  let sink = (record: AuditRecord): void => void held.push(record);
  const tail = new AuditTail(dir, (record) => {
    if (matchesQuery(record, query)) sink(record);
  });
  await tail.start();
  return {
    async run(print, printed) {
      for (const record of held) if (!printed.has(record.requestId)) print(record);
      sink = print;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await tail.stop();
    },
  };
}

function printJson(record: AuditRecord): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

const HEADER = [
  'TIME',
  'STATUS',
  'API',
  'MODEL',
  'CLIENT',
  'DURATION',
  'TTFT',
  'TOKENS',
  'TRIES',
  'REQUEST',
  'NOTE',
];

/** A table of the records read, then one aligned row per record followed. */
function printTable(first: AuditRecord[]): (record: AuditRecord) => void {
  const rows = first.map(row);
  const text = table(HEADER, rows);
  const lines = text.split('\n');
  let printedHeader = false;
  let index = 0;
  return (record) => {
    if (!printedHeader) {
      process.stdout.write(`${lines[0]}\n`);
      printedHeader = true;
    }
    // Rows of the first batch are aligned together; followed rows reuse the header's widths.
    const line = index < rows.length ? lines[index + 1] : alignLike(lines[0] ?? '', row(record));
    index++;
    process.stdout.write(`${line}\n`);
  };
}

function alignLike(header: string, cells: string[]): string {
  const starts = HEADER.map((h) => header.indexOf(h));
  return cells
    .map((cell, i) => {
      const width = (starts[i + 1] ?? 0) - (starts[i] ?? 0) - 2;
      return i < cells.length - 1 ? cell.padEnd(Math.max(width, cell.length)) : cell;
    })
    .join('  ')
    .trimEnd();
}

function row(r: AuditRecord): string[] {
  const model =
    r.resolvedModel !== undefined && r.resolvedModel !== r.model
      ? `${r.model ?? '-'} → ${r.resolvedModel}`
      : (r.model ?? '-');
  const tokens =
    r.usage === undefined
      ? '-'
      : `${r.usage.input + r.usage.cacheRead + r.usage.cacheWrite}/${r.usage.output}`;
  const note = [
    r.errorCode,
    r.complete ? undefined : `incomplete: ${r.incomplete ?? 'unknown'}`,
    r.coldStart ? `cold start ${seconds(r.modelWaitMs)}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return [
    localTime(r.time),
    String(r.status),
    r.api,
    model,
    r.client ?? '-',
    seconds(r.durationMs),
    seconds(r.ttftMs),
    tokens,
    String(r.attempts.length),
    r.requestId,
    note,
  ];
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** `YYYY-MM-DD HH:MM:SS` in the local time zone. */
function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
