import { createHash } from 'node:crypto';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';

/** Identifies how a model's process was configured, so that a changed config is never adopted. */
export function configFingerprint(model: LocalModelConfig): string {
  return createHash('sha256')
    .update(JSON.stringify({ argv: model.argv, env: model.env, health: model.healthPath }))
    .digest('hex')
    .slice(0, 16);
}
