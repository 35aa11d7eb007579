import { writePrivateFileAtomic, scrubSecrets } from '@mlx-gateway/shared/security';
import type { ReloadReport } from '@mlx-gateway/protocol';
import type { ApplyReport, ConfigApplier, SendReload } from './dashboard-deps.js';
import { checkConfigText } from './config-validate.js';

export interface FileConfigApplierOptions {
  /** The config file the gateway was started with. */
  file: string;
  home: string;
  sendReload: SendReload;
  env?: NodeJS.ProcessEnv;
}

/** The mask a page shows for a secret: text that still holds it was never the real value. */
const MASK = '[redacted]';

/**
 * Applies an edited config: validated again on the server (the page may be stale), written
 * atomically (readers see the old file or the new one), then the reload command is sent. The
 * file is left alone when the text is invalid or still holds a masked secret.
 */
export function fileConfigApplier(options: FileConfigApplierOptions): ConfigApplier {
  return {
    async applyConfig(text: string): Promise<ApplyReport> {
      if (text.includes(MASK)) {
        return {
          ok: false,
          messages: [
            `the text holds ${MASK} where the page masked a secret; put a \${env:NAME} or \${secret:NAME} reference there`,
          ],
        };
      }
      const context = { home: options.home, file: options.file, env: options.env ?? process.env };
      const check = checkConfigText(text, context);
      if (!check.ok) {
        return {
          ok: false,
          messages: check.problems.map((p) =>
            p.line === undefined ? p.message : `line ${p.line}: ${p.message}`,
          ),
        };
      }
      await writePrivateFileAtomic(options.file, text.endsWith('\n') ? text : `${text}\n`);
      const messages = [`wrote ${options.file}`];
      try {
        const report = await options.sendReload({ cmd: 'reload' });
        messages.push('the gateway reloaded the config', ...reportLines(report));
        return { ok: true, messages };
      } catch (err) {
        messages.push(
          `the reload was not applied: ${scrubSecrets(err instanceof Error ? err.message : String(err))}; the file is saved and takes effect at the next start (mlx-gateway down, then up)`,
        );
        return { ok: false, messages };
      }
    },
  };
}

/** What a reload changed, one line per kind (the CLI's `reload` prints the same report). */
export function reportLines(report: ReloadReport): string[] {
  const lines: string[] = [];
  const models = report.models;
  for (const [what, names] of [
    ['added', models.added],
    ['removed', models.removed],
    ['restarted', models.restarted],
    ['updated in place', models.updated],
  ] as const) {
    if (names.length > 0) lines.push(`models ${what}: ${names.join(', ')}`);
  }
  for (const r of report.restarts ?? []) {
    if (r.outcome === 'failed')
      lines.push(`${r.model} did not start again: ${r.error ?? 'failed'}`);
  }
  if (report.applied.length > 0) {
    lines.push(`applied: ${report.applied.map((s) => s.path).join(', ')}`);
  }
  for (const s of report.needsRestart) {
    lines.push(`needs a restart (down, then up): ${s.path}${s.note ? ` (${s.note})` : ''}`);
  }
  if (!report.changed) lines.push('nothing changed');
  return lines;
}
