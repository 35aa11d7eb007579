import type { ReloadReport } from '@mlx-gateway/protocol';
import {
  ConfigError,
  loadConfig,
  type ConfigProblem,
  type GatewayConfig,
} from '@mlx-gateway/shared/config';
import { formatConfigProblems } from '../config-problems.js';
import { call, configFor, type GlobalOptions } from './control.js';

/** A reload waits for changed models to drain and start again, which can take minutes. */
const RELOAD_TIMEOUT_MS = 30 * 60_000;

/** The report of a reload or a dry run, for people. */
export function formatReloadReport(r: ReloadReport): string {
  const out: string[] = [];
  const head = r.dryRun ? 'would change' : 'reloaded';
  out.push(
    r.changed
      ? `${head}: ${r.file ?? 'the config'}${r.dryRun ? '' : ` (generation ${r.generation})`}`
      : `no changes: ${r.file ?? 'the config'} is the config in force (generation ${r.generation})`,
  );
  const m = r.models;
  const verb = r.dryRun
    ? { added: 'add', removed: 'remove', restarted: 'restart', updated: 'update in place' }
    : { added: 'added', removed: 'removed', restarted: 'restarted', updated: 'updated in place' };
  for (const key of ['added', 'removed', 'restarted', 'updated'] as const) {
    if (m[key].length > 0) out.push(`  models ${verb[key]}: ${m[key].join(', ')}`);
  }
  if (r.changed && m.unchanged.length > 0) {
    out.push(`  models untouched: ${m.unchanged.join(', ')}`);
  }
  if (r.applied.length > 0) {
    out.push(`  settings ${r.dryRun ? 'to apply' : 'applied'}:`);
    for (const s of r.applied) out.push(`    ${s.path}`);
  }
  if (r.needsRestart.length > 0) {
    out.push('  settings that need a restart (`mlx-gateway down` then `up`), not applied:');
    for (const s of r.needsRestart) out.push(`    ${s.path}${s.note ? ` (${s.note})` : ''}`);
  }
  for (const x of r.restarts ?? []) {
    if (x.outcome === 'restarted') {
      out.push(`  ${x.model}: restarted (pid ${x.previousPid ?? '?'} → ${x.pid ?? '?'})`);
    } else if (x.outcome === 'failed') {
      out.push(`  ${x.model}: restart failed: ${x.error ?? 'unknown error'}`);
    } else {
      out.push(`  ${x.model}: not running; its next start uses the new settings`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The config as the CLI reads it, or undefined after printing its problems (exit code 1). */
function validConfig(opts: GlobalOptions, read = () => configFor(opts)): GatewayConfig | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(formatConfigProblems(err));
    process.stderr.write('nothing was changed.\n');
    process.exitCode = 1;
    return undefined;
  }
}

/** Sends `reload`; the supervisor's own validation problems are printed like the CLI's. */
async function sendReload(
  config: GatewayConfig,
  dryRun: boolean,
): Promise<ReloadReport | undefined> {
  try {
    return await call(config, { cmd: 'reload', dryRun }, RELOAD_TIMEOUT_MS);
  } catch (err) {
    const e = err as { code?: string; details?: { file?: string; problems?: ConfigProblem[] } };
    if (e.code !== 'CONFIG_INVALID' || !e.details?.problems) throw err;
    const file = e.details.file ?? config.file ?? 'config';
    process.stderr.write(formatConfigProblems(new ConfigError(file, [...e.details.problems])));
    process.stderr.write('nothing was changed.\n');
    process.exitCode = 1;
    return undefined;
  }
}

/**
 * `mlx-gateway reload`: validates the config file here first (an invalid one changes nothing
 * and exits 1 with every problem and its key path), then asks the supervisor to reload it and
 * prints what changed. Proxies follow the supervisor's reload by themselves.
 */
export async function reload(opts: GlobalOptions): Promise<void> {
  const config = validConfig(opts);
  if (config === undefined) return;
  const report = await sendReload(config, false);
  if (report !== undefined) process.stdout.write(formatReloadReport(report));
}

/** `mlx-gateway config diff [FILE]`: what a reload would change; nothing is applied. */
export async function configDiff(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const config = validConfig(opts);
  if (config === undefined) return;
  const report = await sendReload(config, true);
  if (report === undefined) return;
  if (report.file !== undefined && config.file !== undefined && report.file !== config.file) {
    process.stderr.write(
      `note: the running gateway reads ${report.file}, not ${config.file}; this is what a reload of its file would change\n`,
    );
  }
  process.stdout.write(
    opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReloadReport(report),
  );
}

/**
 * SIGHUP to `mlx-gateway up`: the same as `mlx-gateway reload` for the gateway it runs (its
 * home and file). Failures are printed; the process goes on serving with what is in force.
 */
export function reloadOnSignal(running: GatewayConfig): Promise<void> {
  const read = () =>
    loadConfig({ home: running.home, ...(running.file ? { file: running.file } : {}) });
  // A failed reload is reported here; it is not the exit status of `up`.
  const exitCode = process.exitCode;
  const restore = () => {
    process.exitCode = exitCode;
  };
  const config = validConfig({}, read);
  if (config === undefined) {
    restore();
    return Promise.resolve();
  }
  return sendReload(config, false)
    .finally(restore)
    .then(
      (report) => {
        if (report !== undefined) process.stdout.write(formatReloadReport(report));
      },
      (err: unknown) => {
        process.stderr.write(`reload failed: ${(err as Error).message}\n`);
      },
    );
}
