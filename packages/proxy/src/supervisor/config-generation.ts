import type { Snapshot } from '@mlx-gateway/protocol';
import { localModelFingerprint } from '@mlx-gateway/shared/config';
import type { ModelConfig } from '@mlx-gateway/shared/config';

/** How the supervisor's config differs from the proxy's, for the proxy's local models. */
export interface ConfigDifferences {
  /** Local models of the proxy's config the supervisor does not have. */
  unknown: string[];
  /** Local models the supervisor runs with another command line, environment or health path. */
  changed: string[];
}

/**
 * Compares the proxy's local models with a snapshot of the supervisor's: the two processes
 * read the config each at its own start, so a proxy restarted alone after an edit may route to
 * models the supervisor does not know, or that it runs differently. A supervisor that
 * publishes no fingerprint (an older build) is compared by names only.
 */
export function configDifferences(
  models: readonly ModelConfig[],
  snapshot: Snapshot,
): ConfigDifferences {
  const theirs = new Map(snapshot.models.map((m) => [m.name, m.configFingerprint]));
  const unknown: string[] = [];
  const changed: string[] = [];
  for (const model of models) {
    if (model.kind !== 'local') continue;
    if (!theirs.has(model.name)) {
      unknown.push(model.name);
      continue;
    }
    const fingerprint = theirs.get(model.name);
    if (fingerprint !== undefined && fingerprint !== localModelFingerprint(model)) {
      changed.push(model.name);
    }
  }
  return { unknown, changed };
}

/** The log message for differences; undefined when there are none. */
export function configDifferenceMessage(d: ConfigDifferences): string | undefined {
  if (d.unknown.length === 0 && d.changed.length === 0) return undefined;
  const parts: string[] = [];
  if (d.unknown.length > 0) parts.push(`not known to the supervisor: ${d.unknown.join(', ')}`);
  if (d.changed.length > 0) {
    parts.push(`configured differently in the supervisor: ${d.changed.join(', ')}`);
  }
  return (
    `the proxy and the supervisor run different versions of the config (${parts.join('; ')}); ` +
    'restart both with `mlx-gateway down` then `mlx-gateway up`'
  );
}
