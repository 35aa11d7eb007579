import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/**
 * A full garbage collection on demand, without starting node with `--expose-gc`: the flag set
 * at run time exposes `gc` to contexts created afterwards, and one such context hands it over.
 * The process's own global scope does not get it.
 */
export function loadFullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc !== 'function') throw new Error('V8 did not expose gc');
  return () => {
    (gc as () => void)();
  };
}
