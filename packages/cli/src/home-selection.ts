import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readDemoPointer } from './demo-pointer.js';

/**
 * The commands that switch to a running demo's home on their own: those that look at or steer
 * a running gateway. Commands that write a home's files (init, keys, service) never do: a key
 * stored in the demo's home by mistake would be lost with it.
 */
const DEMO_AWARE_COMMANDS = new Set([
  'status',
  'start',
  'stop',
  'promote',
  'clear',
  'logs',
  'down',
  'activity',
]);

export interface HomeChoice {
  /** The home to use; undefined: the usual one (MLX_GATEWAY_HOME or ~/.mlx-gateway). */
  home?: string;
  /** A note for stderr saying why another home is used. */
  note?: string;
}

/**
 * Chooses the gateway home of a command run in another terminal than the demo: with `--demo`,
 * the running demo's (an error when none runs); without it, the running demo's too when
 * nothing else was chosen (no `--config`, no MLX_GATEWAY_HOME) and `~/.mlx-gateway` has no
 * config, so that the README's commands work against `npm run demo` as they are written.
 */
export function chooseHome(
  command: string,
  opts: { demo?: boolean; config?: string },
  env: NodeJS.ProcessEnv = process.env,
): HomeChoice {
  if (opts.demo) {
    const demo = readDemoPointer();
    if (demo === undefined) {
      throw new Error(
        'no demo is running (start one with `npm run demo` in the checkout); without --demo the commands use MLX_GATEWAY_HOME or ~/.mlx-gateway',
      );
    }
    return { home: demo.home };
  }
  if (!DEMO_AWARE_COMMANDS.has(command) || opts.config !== undefined) return {};
  if ((env['MLX_GATEWAY_HOME'] ?? '') !== '') return {};
  if (existsSync(join(homedir(), '.mlx-gateway', 'config.yaml'))) return {};
  const demo = readDemoPointer();
  if (demo === undefined) return {};
  return {
    home: demo.home,
    note: `(no ~/.mlx-gateway/config.yaml: using the running demo's home ${demo.home})`,
  };
}
