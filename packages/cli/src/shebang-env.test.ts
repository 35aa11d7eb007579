import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreShebangEnv, SAVED_VAR } from './shebang-env.js';

describe('restoreShebangEnv', () => {
  it('removes the arena limit the shebang set when the user had none', () => {
    const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '1', [SAVED_VAR]: '', PATH: '/bin' };
    restoreShebangEnv(env);
    expect(env).toEqual({ PATH: '/bin' });
  });

  it("gives the user's own value back", () => {
    const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '1', [SAVED_VAR]: '4' };
    restoreShebangEnv(env);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '4' });
  });

  it('leaves the environment alone when the command was not started through its shebang', () => {
    const env: NodeJS.ProcessEnv = { MALLOC_ARENA_MAX: '2' };
    restoreShebangEnv(env);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('matches the shebang of the command', () => {
    const first = readFileSync(new URL('./main.ts', import.meta.url), 'utf8').split('\n')[0]!;
    expect(first).toContain(`${SAVED_VAR}=\${MALLOC_ARENA_MAX} MALLOC_ARENA_MAX=1 node`);
  });
});
