import { loadFullCollection } from './full-collection.js';
import { loadMallocTrim } from './malloc-trim.js';
import { trimAfterIdleCollections } from './trim-after-idle.js';
import type { Trimmer } from './trim-after-idle.js';

export { trimAfterIdleCollections } from './trim-after-idle.js';
export type { Trimmer, TrimOptions } from './trim-after-idle.js';
export { loadMallocTrim } from './malloc-trim.js';
export { loadFullCollection } from './full-collection.js';

/**
 * Once the process goes idle after a load, gives the pages the C allocator kept back to the
 * system (see trim-after-idle.ts). Undefined where that allocator needs no help (macOS) or
 * cannot be reached.
 */
export function releaseFreedMemoryWhenIdle(): Trimmer | undefined {
  if (process.platform !== 'linux') return undefined;
  let trim: (() => void) | undefined;
  let collect: (() => void) | undefined;
  return trimAfterIdleCollections({
    trim: () => {
      trim ??= loadMallocTrim();
      if (trim === undefined) throw new Error('malloc_trim is not available');
      trim();
    },
    collect: () => {
      collect ??= loadFullCollection();
      collect();
    },
  });
}
