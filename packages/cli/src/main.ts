#!/usr/bin/env -S MLX_GATEWAY_USER_MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX} MALLOC_ARENA_MAX=1 node --max-semi-space-size=2
// The flag keeps V8's young generation at most 2 MB per semi-space: `up` runs the proxy in this
// process, and a burst of requests would otherwise grow it to tens of megabytes that are never
// given back (issue 17). MALLOC_ARENA_MAX=1: one glibc malloc arena (see shebang-env.ts), the
// user's value restored below for the processes this one starts. `env -S` splits the line and
// expands ${...} on Linux and macOS; npm and pnpm shims read it.
import { restoreShebangEnv } from './shebang-env.js';
import { ConfigError } from '@mlx-gateway/shared/config';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { formatConfigProblems } from './config-problems.js';
import { explainError } from './explain-error.js';
import { buildProgram } from './program.js';

restoreShebangEnv();

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
