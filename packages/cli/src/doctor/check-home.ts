import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { shellQuote } from '../shell-quote.js';
import { fail, ok, warn, type Finding } from './finding.js';

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

const myUid = (): number | undefined =>
  typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * The home and what it holds must be this user's alone: another local user who can write the
 * home or the config can make the supervisor run any command, one who can connect to the
 * control socket can start and stop models, and the secret files hold API keys.
 */
export function checkHome(home: string): Finding[] {
  const paths = gatewayPaths(home);
  const findings: Finding[] = [];
  const homeStats = statOf(home);
  if (homeStats === undefined) {
    return [
      warn(
        'home',
        `${home} does not exist yet`,
        '`mlx-gateway init` writes a starter config there (or `mlx-gateway up` creates it)',
      ),
    ];
  }
  const uid = myUid();
  if (uid !== undefined && homeStats.uid !== uid) {
    findings.push(
      fail(
        'home',
        `${home} belongs to another user (uid ${homeStats.uid})`,
        `use a home of your own (MLX_GATEWAY_HOME)`,
      ),
    );
  }
  for (const [dir, what] of [
    [home, 'the home'],
    [paths.runDir, 'the run directory (control sockets)'],
    [paths.logsDir, 'the logs directory'],
    [join(home, 'audit'), 'the audit directory'],
  ] as const) {
    const stats = statOf(dir);
    if (stats === undefined) continue;
    if (stats.mode & 0o077) {
      findings.push(
        fail(
          'home',
          `${dir} (${what}) is open to other users (mode ${octal(stats.mode)}${stats.mode & 0o022 ? ', writable by them' : ''})`,
          `chmod 700 ${shellQuote(dir)}`,
        ),
      );
    }
  }
  for (const file of [
    paths.config,
    join(home, 'clients.json'),
    join(home, 'secrets.enc'),
    join(home, 'secret.key'),
  ]) {
    const stats = statOf(file);
    if (stats === undefined) continue;
    if (stats.mode & 0o077) {
      findings.push(
        fail(
          'home',
          `${file} is readable or writable by other users (mode ${octal(stats.mode)})`,
          `chmod 600 ${shellQuote(file)}`,
        ),
      );
    }
  }
  for (const socket of [paths.controlSocket, paths.eventsSocket]) {
    const stats = statOf(socket);
    if (stats === undefined || !stats.isSocket()) continue;
    const runOpen = (statOf(paths.runDir)?.mode ?? 0) & 0o011;
    // Connecting needs write access to the socket file and a way through its directory.
    if (stats.mode & 0o022 && runOpen) {
      findings.push(
        fail(
          'home',
          `${socket} accepts connections from other users (mode ${octal(stats.mode)} in a directory they can enter): they can start and stop models`,
          `chmod 700 ${shellQuote(paths.runDir)}, then restart the gateway (\`mlx-gateway down\`, \`mlx-gateway up\`)`,
        ),
      );
    }
  }
  if (findings.length === 0) findings.push(ok('home', `${home} and its files are private to you`));
  return findings;
}
