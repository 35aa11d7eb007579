import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compileConfig } from './compile-config.js';
import { onePerPass } from './one-per-pass.js';
import { timeoutsSchema } from './section-schemas.js';

function endOfPass(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The garbage collector, exposed to this test only. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('onePerPass', () => {
  it('builds a schema once within a pass and anew in the next pass', async () => {
    let builds = 0;
    const build = () => ({ n: ++builds });
    const first = onePerPass('test-key', build);
    expect(onePerPass('test-key', build)).toBe(first);
    expect(onePerPass('other-key', build)).not.toBe(first);
    await endOfPass();
    const next = onePerPass('test-key', build);
    expect(next).not.toBe(first);
    expect(builds).toBe(3);
  });

  it('leaves no schema alive once a config has been validated', async () => {
    const gc = collector();
    compileConfig(
      {
        models: { a: { backend: 'command', command: 'serve --port ${PORT}', limits: { rpm: 5 } } },
        defaults: { remote: { timeouts: { connect: '5s' } } },
      },
      { home: '/tmp/mlx-gateway-test-home', env: {} },
    );
    // The schema the validation used for `timeouts` (the same object within the pass).
    const used = new WeakRef(timeoutsSchema());
    expect(timeoutsSchema()).toBe(used.deref());
    await endOfPass();
    gc();
    expect(used.deref()).toBeUndefined();
  });
});
