import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a running demo (`npm run demo`, i.e. `mlx-gateway up --demo`) says which home it uses,
 * so that the CLI in another terminal finds it: the demo's home is `<checkout>/.demo-home`, not
 * `~/.mlx-gateway`. One file per user in the temporary directory, written by the demo's `up`
 * and removed when it stops.
 */
export function demoPointerFile(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `mlx-gateway-demo-${uid}.json`);
}

export interface DemoPointer {
  home: string;
  pid: number;
  url?: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The running demo, if there is one. A file this user does not own (another user may create
 * files in a shared /tmp), a symbolic link, or one whose `up` is gone is ignored: the CLI must
 * never be pointed at a home someone else chose.
 */
export function readDemoPointer(): DemoPointer | undefined {
  const file = demoPointerFile();
  try {
    const stats = lstatSync(file);
    if (!stats.isFile()) return undefined;
    if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return undefined;
    const pointer = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoPointer>;
    if (typeof pointer.home !== 'string' || !Number.isInteger(pointer.pid)) return undefined;
    if (!running(pointer.pid!)) return undefined;
    return pointer as DemoPointer;
  } catch {
    return undefined;
  }
}

/** Written by the demo's `up` once it listens; the returned function removes it (if still ours). */
export function writeDemoPointer(pointer: DemoPointer): () => void {
  const file = demoPointerFile();
  try {
    // Replace only a regular file of ours (or none): never follow a link planted in /tmp.
    const stats = lstatSync(file);
    if (stats.isFile() && (typeof process.getuid !== 'function' || stats.uid === process.getuid()))
      rmSync(file, { force: true });
  } catch {
    // none yet
  }
  try {
    writeFileSync(file, JSON.stringify(pointer), { flag: 'wx', mode: 0o600 });
  } catch {
    return () => {}; // someone else's file is there: other terminals need the env variable
  }
  return () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoPointer>;
      if (current.pid === pointer.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
