import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How the service manager starts the gateway: one `mlx-gateway up`, for one gateway home. */
export interface ServiceSpec {
  /** launchd label and systemd unit name (without `.service`). */
  name: string;
  home: string;
  /** The program and its arguments, absolute paths only (no shell, no PATH lookup). */
  argv: string[];
  env: Record<string, string>;
  /** Where `up`'s own output goes (the proxy and supervisor keep their logs beside it). */
  logFile: string;
  description: string;
}

/** The V8 flag main.js's shebang passes (see main.ts); spelled out as node runs it directly. */
const NODE_FLAGS = ['--max-semi-space-size=2'];

/** The CLI's own entry point, as built (dist/main.js). */
export function cliEntry(): string {
  return fileURLToPath(new URL('../main.js', import.meta.url));
}

/**
 * The default home gets the plain name; another home (MLX_GATEWAY_HOME) gets a suffix from
 * its path, so that two gateways of one user can both run at login.
 */
export function serviceName(home: string): string {
  const base = 'mlx-gateway';
  if (resolve(home) === resolve(join(homedir(), '.mlx-gateway'))) return base;
  return `${base}-${createHash('sha256').update(resolve(home)).digest('hex').slice(0, 8)}`;
}

/**
 * The service for a home: node (this one, by its absolute path) running this CLI's `up`, with
 * the home and the PATH of the installing shell (a service manager's PATH is minimal, and
 * mlx-openai-server usually lives in a virtualenv or Homebrew's prefix).
 */
export function serviceSpec(options: {
  home: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
}): ServiceSpec {
  const env = options.env ?? process.env;
  const home = resolve(options.home);
  const argv = [process.execPath, ...NODE_FLAGS, cliEntry(), 'up'];
  if (options.configFile !== undefined) argv.push('--config', resolve(options.configFile));
  const vars: Record<string, string> = { MLX_GATEWAY_HOME: home };
  if (env['PATH']) vars['PATH'] = env['PATH'];
  return {
    name: serviceName(home),
    home,
    argv,
    env: vars,
    logFile: join(home, 'logs', 'service.log'),
    description: `mlx-gateway (supervisor and proxy) for ${home}`,
  };
}
