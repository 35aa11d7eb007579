/**
 * The `mlx-gateway` command's shebang sets MALLOC_ARENA_MAX=1 for its own process (glibc reads
 * it once, when malloc starts): V8's background threads (GC, compilers, the WebAssembly tier-up
 * of undici's HTTP parser) would otherwise each get a malloc arena whose freed memory stays
 * resident, 4-17 MB in `up` (issue 17). Once this process runs, the variable has done its work;
 * the processes it starts (the supervisor, and through it the model servers) get the user's own
 * value back, which the shebang saved in SAVED_VAR (empty when there was none).
 */
export const SAVED_VAR = 'MLX_GATEWAY_USER_MALLOC_ARENA_MAX';

/** Restores the user's MALLOC_ARENA_MAX in `env` when the shebang replaced it; idempotent. */
export function restoreShebangEnv(env: NodeJS.ProcessEnv = process.env): void {
  const saved = env[SAVED_VAR];
  if (saved === undefined) return; // not started through the shebang
  delete env[SAVED_VAR];
  if (saved === '') delete env['MALLOC_ARENA_MAX'];
  else env['MALLOC_ARENA_MAX'] = saved;
}
