import { validateConfigText } from '@mlx-gateway/shared/config';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';

/** A problem of an edited config, with the line it is about (1-based; undefined: the file). */
export interface LineProblem {
  line: number | undefined;
  path: string;
  message: string;
}

export type ConfigCheck =
  { ok: true; config: GatewayConfig } | { ok: false; problems: LineProblem[] };

/**
 * Validates an edited config as `mlx-gateway up` would load it (validateConfigText: the same
 * parser and compiler, each problem at the line of its key), with messages scrubbed for the page.
 */
export function checkConfigText(
  text: string,
  context: { home: string; file: string; env?: NodeJS.ProcessEnv },
): ConfigCheck {
  const check = validateConfigText(text, {
    home: context.home,
    label: context.file,
    env: context.env ?? process.env,
  });
  if (check.ok) return check;
  return {
    ok: false,
    problems: check.problems.map((p) => ({
      line: p.line,
      path: p.path,
      message: scrubSecrets(p.got === undefined ? p.message : `${p.message} (got ${p.got})`),
    })),
  };
}
