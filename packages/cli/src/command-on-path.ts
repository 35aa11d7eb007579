import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The directories of a PATH value, in order, empty entries and repeats left out. */
export function pathDirectories(path: string | undefined): string[] {
  return [...new Set((path ?? '').split(delimiter).filter((dir) => dir.length > 0))];
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a command would be found, as a spawn without a shell finds it: a name with a slash as
 * written, otherwise the first executable file of that name on PATH. Undefined when none.
 */
export function findOnPath(command: string, path = process.env['PATH']): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of pathDirectories(path)) {
    const file = isAbsolute(dir) ? join(dir, command) : join(process.cwd(), dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}
