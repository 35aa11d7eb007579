import { ConfigError, loadConfig, type GatewayConfig } from '@mlx-gateway/shared/config';
import { formatConfigProblems } from '../config-problems.js';
import { fail, ok, type Finding } from './finding.js';

/** Loads the config as `up` would; an invalid one is a finding (with every problem), not a throw. */
export function checkConfig(
  file: string | undefined,
  home: string,
): { config?: GatewayConfig; findings: Finding[] } {
  try {
    const config = loadConfig({ file, home });
    const local = config.models.filter((m) => m.kind === 'local').length;
    const counts = `${config.models.length} models, ${local} local`;
    return {
      config,
      findings: [
        config.file
          ? ok('config', `${config.file} is valid (${counts})`)
          : ok(
              'config',
              `no config file: the built-in defaults (${counts}); \`mlx-gateway init\` writes one`,
            ),
      ],
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      findings: [
        fail(
          'config',
          formatConfigProblems(err).trimEnd(),
          'fix the keys named above (`mlx-gateway config check` lists every problem; docs/configuration.md has every key)',
        ),
      ],
    };
  }
}
