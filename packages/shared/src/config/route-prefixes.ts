import { LOCAL_PROVIDER } from './builtin-defaults.js';
import type { RoutePrefix } from './types.js';

/**
 * The prefix table in force: the configured prefixes, then the built-in ones a configured
 * prefix does not replace (`mlx/` for the local models and `<provider>/` for every provider),
 * longest prefix first so that the most specific one wins.
 */
export function routePrefixes(
  providers: ReadonlyArray<{ name: string }>,
  configured: readonly RoutePrefix[] = [],
): RoutePrefix[] {
  const table = new Map<string, RoutePrefix>();
  for (const entry of configured) if (!table.has(entry.prefix)) table.set(entry.prefix, entry);
  const builtin = (provider: string): void => {
    const prefix = `${provider}/`;
    if (!table.has(prefix)) table.set(prefix, { prefix, provider, strip: true });
  };
  builtin(LOCAL_PROVIDER);
  for (const provider of providers) builtin(provider.name);
  return [...table.values()].sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The longest prefix of the table that `name` starts with and goes beyond. */
export function matchPrefix(
  table: readonly RoutePrefix[],
  name: string,
): { entry: RoutePrefix; rest: string } | undefined {
  for (const entry of table) {
    if (name.length > entry.prefix.length && name.startsWith(entry.prefix)) {
      return { entry, rest: name.slice(entry.prefix.length) };
    }
  }
  return undefined;
}
