import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { findOnPath } from '../command-on-path.js';
import { launchdPlist } from './launchd-plist.js';
import type { ServiceSpec } from './service-spec.js';
import { systemdUnit } from './systemd-unit.js';

export type ServiceKind = 'launchd' | 'systemd';

/** launchd on macOS, a systemd user unit elsewhere (Linux). */
export function defaultKind(platform = process.platform): ServiceKind {
  return platform === 'darwin' ? 'launchd' : 'systemd';
}

/** Where the service file goes: ~/Library/LaunchAgents or ~/.config/systemd/user. */
export function serviceFile(kind: ServiceKind, name: string): string {
  if (kind === 'launchd') return join(homedir(), 'Library', 'LaunchAgents', `${name}.plist`);
  const config = process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(config, 'systemd', 'user', `${name}.service`);
}

export function renderService(kind: ServiceKind, spec: ServiceSpec): string {
  return kind === 'launchd' ? launchdPlist(spec) : systemdUnit(spec);
}

interface Run {
  ok: boolean;
  output: string;
}

/** Runs a service manager's command; `ok: false` with the reason when it fails or is missing. */
function run(argv: string[]): Run {
  const [program, ...args] = argv;
  if (program === undefined || findOnPath(program) === undefined) {
    return { ok: false, output: `${program ?? ''} is not available here` };
  }
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 20_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, output: output || `exit code ${result.status ?? 'none'}` };
}

const uid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);

/** The commands that load (and start) a written service file, per kind. */
export function loadCommands(kind: ServiceKind, name: string, file: string): string[][] {
  if (kind === 'launchd') return [['launchctl', 'bootstrap', `gui/${uid()}`, file]];
  return [
    ['systemctl', '--user', 'daemon-reload'],
    ['systemctl', '--user', 'enable', '--now', `${name}.service`],
  ];
}

export function unloadCommands(kind: ServiceKind, name: string, file: string): string[][] {
  if (kind === 'launchd') return [['launchctl', 'bootout', `gui/${uid()}`, file]];
  return [['systemctl', '--user', 'disable', '--now', `${name}.service`]];
}

export interface InstallResult {
  file: string;
  /** Whether the service manager took it (else `hint` says what to run). */
  loaded: boolean;
  hint?: string;
}

const shown = (argv: string[]): string =>
  argv.map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ');

/** Writes the service file (0644: the service manager reads it) and asks the manager to load it. */
export function installService(kind: ServiceKind, spec: ServiceSpec): InstallResult {
  const file = serviceFile(kind, spec.name);
  const text = renderService(kind, spec);
  mkdirSync(dirname(file), { recursive: true });
  mkdirSync(dirname(spec.logFile), { recursive: true, mode: 0o700 });
  const replacing = existsSync(file);
  if (replacing) for (const argv of unloadCommands(kind, spec.name, file)) run(argv);
  writeFileSync(file, text, { mode: 0o644 });
  for (const argv of loadCommands(kind, spec.name, file)) {
    const result = run(argv);
    if (!result.ok) {
      const commands = loadCommands(kind, spec.name, file).map(shown).join(' && ');
      return {
        file,
        loaded: false,
        hint: `\`${shown(argv)}\` failed (${result.output}); load it yourself with: ${commands}`,
      };
    }
  }
  return { file, loaded: true };
}

export interface UninstallResult {
  file: string;
  removed: boolean;
  /** Why unloading failed, when it did (the file is removed anyway). */
  unloadProblem?: string;
}

export function uninstallService(kind: ServiceKind, name: string): UninstallResult {
  const file = serviceFile(kind, name);
  if (!existsSync(file)) return { file, removed: false };
  let unloadProblem: string | undefined;
  for (const argv of unloadCommands(kind, name, file)) {
    const result = run(argv);
    if (!result.ok) unloadProblem = `\`${shown(argv)}\`: ${result.output}`;
  }
  rmSync(file, { force: true });
  if (kind === 'systemd') run(['systemctl', '--user', 'daemon-reload']);
  return { file, removed: true, ...(unloadProblem ? { unloadProblem } : {}) };
}

export interface ServiceStatus {
  kind: ServiceKind;
  name: string;
  file: string;
  installed: boolean;
  /** Whether the file on disk is the one `install` would write now (same paths, same PATH). */
  current: boolean;
  /** true / false as the service manager says; null when it cannot be asked here. */
  loaded: boolean | null;
  /** systemd: is-active's answer (active, inactive, failed...); launchd: the state line. */
  state: string | null;
}

export function serviceStatus(kind: ServiceKind, spec: ServiceSpec): ServiceStatus {
  const file = serviceFile(kind, spec.name);
  const installed = existsSync(file);
  const current = installed && readFileSync(file, 'utf8') === renderService(kind, spec);
  let loaded: boolean | null = null;
  let state: string | null = null;
  if (kind === 'launchd') {
    const print = run(['launchctl', 'print', `gui/${uid()}/${spec.name}`]);
    if (!print.output.endsWith('is not available here')) {
      loaded = print.ok;
      state = print.ok ? (/^\s*state = (.+)$/m.exec(print.output)?.[1] ?? null) : null;
    }
  } else {
    const enabled = run(['systemctl', '--user', 'is-enabled', `${spec.name}.service`]);
    const active = run(['systemctl', '--user', 'is-active', `${spec.name}.service`]);
    // Without a user manager (no login session, a container) systemctl cannot answer.
    const noManager = /Failed to connect|not available here|No medium found/i.test(
      enabled.output + active.output,
    );
    if (!noManager) {
      loaded = enabled.ok;
      state = active.output.split('\n')[0] ?? null;
    }
  }
  return { kind, name: spec.name, file, installed, current, loaded, state };
}
