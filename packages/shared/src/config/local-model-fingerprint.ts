import { createHash } from 'node:crypto';
import type { LocalModelConfig } from './types.js';

/**
 * Identifies how a local model's process is configured (command line, environment, health
 * path). The supervisor records it with each child (a changed config is never adopted) and
 * publishes it with the model's state, so that the proxy can tell when the two processes run
 * different versions of the config.
 */
export function localModelFingerprint(model: LocalModelConfig): string {
  return createHash('sha256')
    .update(JSON.stringify({ argv: model.argv, env: model.env, health: model.healthPath }))
    .digest('hex')
    .slice(0, 16);
}
