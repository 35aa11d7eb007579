#!/usr/bin/env node
import { scrubSecrets } from '@mlx-gateway/shared';
import { explainError } from './explain-error.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync()
  .catch((err: unknown) => {
    const message = explainError(err) ?? (err instanceof Error ? err.message : String(err));
    process.stderr.write(`mlx-gateway: ${scrubSecrets(message)}\n`);
    process.exit(1);
  });
