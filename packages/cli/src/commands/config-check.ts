import { stringify } from 'yaml';
import { redactDeep } from '@mlx-gateway/shared';
import {
  describeReference,
  findSecretRefs,
  mapSecretRefs,
  referenceStatus,
} from '../secret-references.js';
import { tryStoredNames } from '../secret-store.js';
import { configFor, type GlobalOptions } from './control.js';

/**
 * `mlx-gateway config check`: validates the config and prints the compiled form with secrets
 * redacted. Each secret reference is shown with whether it has a value (`${env:NAME} (set)`,
 * `${secret:NAME} (stored in encrypted-file)`), never with the value.
 */
export async function configCheck(opts: GlobalOptions): Promise<void> {
  const config = configFor(opts);
  const usesStore = findSecretRefs(config).some(({ ref }) => ref.kind === 'store');
  const stored = usesStore ? await tryStoredNames(config.home) : undefined;
  const shown = mapSecretRefs(redactDeep(config), (ref) =>
    describeReference(ref, referenceStatus(ref, stored)),
  );
  process.stdout.write(
    `config OK${config.file ? ` (${config.file})` : ' (defaults: no config file)'}\n`,
  );
  process.stdout.write(stringify(shown));
}
