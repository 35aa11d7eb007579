import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/gateway-error.js';

/** One thing wrong with a config file. */
export interface ConfigProblem {
  /** Key path like `models.qwen.idleTimeout` or `models.qwen.aliases[0]`; '' for the whole file. */
  path: string;
  message: string;
  /** The bad value as shown to people (secrets masked); absent when showing it adds nothing. */
  got?: string;
}

/** `config.yaml: models.qwen.idleTimeout: expected a duration like "10m" or "30s" (got "ten minutes")` */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.path === '' ? '' : `${problem.path}: `;
  const got = problem.got === undefined ? '' : ` (got ${problem.got})`;
  return `${file}: ${where}${problem.message}${got}`;
}

/** Every problem of a config file at once, one per line. Code CONFIG_INVALID. */
export class ConfigError extends GatewayError {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[], options: { cause?: unknown } = {}) {
    super(ErrorCodes.CONFIG_INVALID, problems.map((p) => formatProblem(file, p)).join('\n'), {
      details: { file, problems },
      ...options,
    });
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}
