import { stringify } from 'yaml';
import { redactDeep } from '@mlx-gateway/shared';
import { configFor, type GlobalOptions } from './control.js';

/** `mlx-gateway config check`: validates the config and prints the compiled form, secrets redacted. */
export function configCheck(opts: GlobalOptions): void {
  const config = configFor(opts);
  process.stdout.write(
    `config OK${config.file ? ` (${config.file})` : ' (defaults: no config file)'}\n`,
  );
  process.stdout.write(stringify(redactDeep(config)));
}
