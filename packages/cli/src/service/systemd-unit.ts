import type { ServiceSpec } from './service-spec.js';

/** Lines of a unit file cannot hold these; no escape exists for them in every setting. */
function refuseControlCharacters(value: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new Error(
      `${what} contains a control character (a newline?), which a systemd unit cannot hold: ${JSON.stringify(value)}`,
    );
  }
}

/** `%` starts a specifier (%h, %u...) in most settings: a literal one is `%%`. */
const specifiers = (value: string): string => value.replace(/%/g, '%%');

/**
 * One word of a command line (ExecStart=): double-quoted, with `\` and `"` escaped, `%` as
 * `%%` and `$` as `$$` (else systemd would substitute variables).
 */
export function execWord(word: string): string {
  refuseControlCharacters(word, 'a command word');
  const escaped = specifiers(word)
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

/** One `Environment=` assignment: the whole `NAME=value` in double quotes, `\`, `"` and `%` escaped. */
export function environmentAssignment(name: string, value: string): string {
  refuseControlCharacters(value, `the value of ${name}`);
  return `"${specifiers(`${name}=${value}`).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A path setting (WorkingDirectory=, append:...): taken whole to the end of the line; `%` escaped. */
function pathValue(path: string): string {
  refuseControlCharacters(path, 'a path');
  return specifiers(path);
}

/**
 * A systemd user unit for the service. Restart=on-failure starts `up` again after a crash but
 * not after `mlx-gateway down` (exit 0); SIGTERM is `up`'s Ctrl-C (it stops the proxy, then its
 * supervisor and models), given time to drain before systemd kills what is left.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).map(([k, v]) => environmentAssignment(k, v));
  const log = pathValue(spec.logFile);
  return [
    '# Written by `mlx-gateway service install`; `mlx-gateway service uninstall` removes it.',
    '[Unit]',
    `Description=${specifiers(spec.description)}`,
    'After=network.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.argv.map(execWord).join(' ')}`,
    `Environment=${env.join(' ')}`,
    `WorkingDirectory=${pathValue(spec.home)}`,
    `StandardOutput=append:${log}`,
    `StandardError=append:${log}`,
    'Restart=on-failure',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=120',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}
