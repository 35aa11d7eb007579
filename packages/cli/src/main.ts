#!/usr/bin/env node
import { ConfigError } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { formatConfigProblems } from './config-problems.js';
import { explainError } from './explain-error.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync()
  .catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`mlx-gateway: ${formatConfigProblems(err)}`);
      process.exit(1);
    }
    const message = explainError(err) ?? (err instanceof Error ? err.message : String(err));
    process.stderr.write(`mlx-gateway: ${scrubSecrets(message)}\n`);
    process.exit(1);
  });
