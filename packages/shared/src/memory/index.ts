import { loadFullCollection } from './full-collection.js';
import { loadMallocTrim } from './malloc-trim.js';
import { trimWhenQuiet } from './trim-after-idle.js';
import type { Trimmer } from './trim-after-idle.js';

export type { Trimmer } from './trim-after-idle.js';
export { LiveList } from './live-list.js';
export type { LiveEntry } from './live-list.js';

/**
 * Once the process goes idle after a load, gives the pages the C allocator kept back to the
 * system (see trim-after-idle.ts). Undefined where that allocator needs no help (macOS) or
 * cannot be reached.
 */
export function releaseFreedMemoryWhenIdle(): Trimmer | undefined {
  if (process.platform !== 'linux') return undefined;
  let trim: (() => void) | undefined;
  let collect: (() => void) | undefined;
  return trimWhenQuiet({
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
