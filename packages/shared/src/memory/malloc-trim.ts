import { createRequire } from 'node:module';
import type Koffi from 'koffi';

/**
 * glibc's `malloc_trim(0)`, called through koffi (a foreign-function interface with prebuilt
 * binaries: nothing to compile). Undefined where there is none: a C library other than glibc,
 * or a system where koffi cannot load (releaseFreedMemoryWhenIdle asks only on Linux). Loaded
 * on first use: koffi adds a few megabytes to the process.
 */
export function loadMallocTrim(): (() => void) | undefined {
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi;
    const mallocTrim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => {
      mallocTrim(0);
    };
  } catch {
    return undefined;
  }
}
