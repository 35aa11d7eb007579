import { resolveHome } from '@mlx-gateway/shared/paths';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { checkConfig } from '../doctor/check-config.js';
import { checkHome } from '../doctor/check-home.js';
import { checkModelServers } from '../doctor/check-model-servers.js';
import { checkPorts } from '../doctor/check-ports.js';
import { checkSecrets } from '../doctor/check-secrets.js';
import { checkSupervisor } from '../doctor/check-supervisor.js';
import type { Finding } from '../doctor/finding.js';
import type { GlobalOptions } from './control.js';

/** The documented shape of `mlx-gateway doctor --json`; `version` bumps on a change. */
export interface DoctorReport {
  version: 1;
  /** False when any finding failed (the exit code is then 1). */
  ok: boolean;
  home: string;
  findings: Array<Omit<Finding, 'fix'> & { fix: string | null }>;
}

/**
 * Runs every check: home permissions, config, then (with a valid config) the model servers,
 * ports and supervisor, and the secret store. Ports are checked after the supervisor answers
 * or not, so that a running gateway's own ports are recognised as its own.
 */
export async function diagnose(opts: GlobalOptions): Promise<DoctorReport> {
  const home = resolveHome();
  const findings: Finding[] = [...checkHome(home)];
  const { config, findings: configFindings } = checkConfig(opts.config, home);
  findings.push(...configFindings);
  if (config !== undefined) {
    findings.push(...(await checkModelServers(config)));
    findings.push(...(await checkPorts(config)));
    findings.push(...(await checkSupervisor(config)));
  }
  findings.push(...(await checkSecrets(home)));
  return {
    version: 1,
    ok: findings.every((f) => f.status !== 'fail'),
    home,
    findings: findings.map((f) => ({
      ...f,
      message: scrubSecrets(f.message),
      fix: f.fix ?? null,
    })),
  };
}

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.findings.map((f) => f.check.length));
  const indent = ' '.repeat(6 + width + 2);
  const lines = report.findings.flatMap((f) => {
    const [first, ...rest] = f.message.split('\n');
    const out = [`${LABEL[f.status]}  ${f.check.padEnd(width)}  ${first ?? ''}`];
    for (const line of rest) out.push(`${indent}${line.trimStart()}`);
    if (f.fix !== null && f.status !== 'ok') out.push(`${indent}fix: ${f.fix}`);
    return out;
  });
  const failed = report.findings.filter((f) => f.status === 'fail').length;
  const warned = report.findings.filter((f) => f.status === 'warn').length;
  lines.push(
    failed > 0
      ? `\n${failed} problem${failed === 1 ? '' : 's'} to fix${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : `\nno problems${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** `mlx-gateway doctor [--json]`: what a new setup gets wrong, each finding with its fix; exit 1 on a failure. */
export async function doctor(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const report = await diagnose(opts);
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (!report.ok) process.exitCode = 1;
}
