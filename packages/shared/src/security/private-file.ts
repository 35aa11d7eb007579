import { randomBytes } from 'node:crypto';
import { chmod, link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../paths.js';

/** File mode of every file that holds a secret, a key or a key hash. */
export const PRIVATE_FILE_MODE = 0o600;

function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  ensurePrivateDir(dirname(path));
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The umask can only remove bits; set the mode exactly.
  await chmod(temp, PRIVATE_FILE_MODE);
  return temp;
}

/**
 * Replaces `path` atomically (temp file in the same directory, fsync, rename) with a file
 * of mode 0600 inside a 0700 directory. Readers see the old or the new content, never a
 * torn write.
 */
export async function writePrivateFileAtomic(
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  const temp = await writeTemp(path, data);
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Creates `path` (mode 0600) with `data` only if it does not exist yet, atomically: two
 * processes racing to create it agree on one content. Returns false if it already existed.
 */
export async function createPrivateFileExclusive(
  path: string,
  data: string | Uint8Array,
): Promise<boolean> {
  const temp = await writeTemp(path, data);
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs read-modify-write steps on one file one at a time within this process. (Across
 * processes the atomic rename keeps the file whole; the last writer wins.)
 */
export async function serializeFileUpdate<T>(path: string, step: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.then(step, step);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(path, settled);
  try {
    return await run;
  } finally {
    if (queues.get(path) === settled) queues.delete(path);
  }
}
