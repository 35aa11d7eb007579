import { localModelFingerprint } from '@mlx-gateway/shared/config';

/** Identifies how a model's process was configured, so that a changed config is never adopted. */
export const configFingerprint = localModelFingerprint;
