import { type ConfigError } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';

/**
 * Every problem of an invalid config, one per line under a count. Each part is scrubbed on its
 * own: joined, a key path and a message read as a credential (`models.gpt.apiKey: API keys
 * must not…` would lose its first word).
 */
export function formatConfigProblems(err: ConfigError): string {
  const [only] = err.problems;
  // The file as a whole (missing, unreadable, not YAML): one line, with the fix when known.
  if (err.problems.length === 1 && only?.path === '') {
    const missing = (err.cause as { code?: string } | undefined)?.code === 'ENOENT';
    const fix = missing
      ? `; write a starter config there with \`mlx-gateway init --config ${err.file}\``
      : '';
    return `${err.file}: ${scrubSecrets(only.message)}${fix}\n`;
  }
  const count = err.problems.length;
  const lines = err.problems.map((p) => {
    const where = p.path === '' ? '' : `${p.path}: `;
    const got = p.got === undefined ? '' : ` (got ${scrubSecrets(p.got)})`;
    return `  ${where}${scrubSecrets(p.message)}${got}`;
  });
  const fix = count === 1 ? 'it' : 'them';
  return `${err.file}: ${count} problem${count === 1 ? '' : 's'}, all listed; fix ${fix} and check again:\n${lines.join('\n')}\n`;
}
