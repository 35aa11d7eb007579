import { stringify } from 'yaml';
import { ConfigError } from '@mlx-gateway/shared/config';
import { redactDeep } from '@mlx-gateway/shared/security';
import { formatConfigProblems } from '../config-problems.js';
import { configSummary } from '../config-summary.js';
import { configWarnings } from '../config-warnings.js';
import {
  describeReference,
  findSecretRefs,
  mapSecretRefs,
  referenceStatus,
} from '../secret-references.js';
import { tryStoredNames } from '../secret-store.js';
import { configFor, type GlobalOptions } from './control.js';

/**
 * `mlx-gateway config check [FILE]`: validates the config and reports every problem at once;
 * a valid config gets a short summary (listen address, models, routes) and warnings about
 * what would fail at start or at the first request. `--verbose` adds the compiled form with
 * each secret reference shown with whether it has a value (`${env:NAME} (set)`), never the
 * value. Exits 1 when the config is invalid; warnings alone do not fail.
 */
export async function configCheck(opts: GlobalOptions & { verbose?: boolean }): Promise<void> {
  let config;
  try {
    config = configFor(opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(formatConfigProblems(err));
    process.exitCode = 1;
    return;
  }
  const usesStore = findSecretRefs(config).some(({ ref }) => ref.kind === 'store');
  const stored = usesStore ? await tryStoredNames(config.home) : undefined;
  const warnings = await configWarnings(config, stored);
  const out = [
    `config OK: ${config.file ?? 'no config file, the defaults'}`,
    ...configSummary(config),
  ];
  const refs = findSecretRefs(config);
  if (refs.length > 0) out.push('  secret references (values never shown):');
  for (const { path, ref } of refs) {
    out.push(`    ${path}: ${describeReference(ref, referenceStatus(ref, stored))}`);
  }
  if (warnings.length > 0) {
    out.push(`warnings (${warnings.length}):`, ...warnings.map((w) => `  - ${w}`));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.verbose) {
    const shown = mapSecretRefs(redactDeep(config), (ref) =>
      describeReference(ref, referenceStatus(ref, stored)),
    );
    process.stdout.write(`compiled:\n${stringify(shown)}`);
  }
}
