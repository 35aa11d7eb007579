import { readdirSync, readFileSync } from 'node:fs';

/** Every `*.json` fixture of a folder, by name, in name order, as `[name, fixture]` pairs. */
export function loadFixtures<T>(dir: URL): (readonly [string, T])[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T] as const);
}
