import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Capabilities } from '@mlx-gateway/shared/config';
import type { Target } from './target.js';

/** What a request needs from the model that serves it. */
export interface RequiredFeatures {
  operation: keyof Pick<Capabilities, 'chat' | 'completions' | 'embeddings'>;
  tools: boolean;
  vision: boolean;
}

const FEATURE_TEXT = {
  chat: ['chat completions', 'model'],
  completions: ['text completions', 'model'],
  embeddings: ['embeddings', 'model'],
  tools: ['tools', 'tools'],
  vision: ['image inputs (vision)', 'messages'],
} as const;

/**
 * The feature of the request the target's model lacks, if any: first the operation itself,
 * then tools, then images.
 */
export function missingFeature(
  target: Target,
  needs: RequiredFeatures,
): keyof typeof FEATURE_TEXT | undefined {
  const caps = target.model.capabilities;
  if (!caps[needs.operation]) return needs.operation;
  if (needs.tools && !caps.tools) return 'tools';
  if (needs.vision && !caps.vision) return 'vision';
  return undefined;
}

/**
 * How to declare the capability, for a model the operator configured (a provider's routed
 * names take the provider's capabilities): the backend's defaults are only a guess of what the
 * server can do, and a `command` model's server is anyone's.
 */
function declareHint(target: Target, feature: string): string {
  const where =
    target.provider === undefined ? `models.${target.model.name}` : `providers.${target.provider}`;
  return `, or, if it does, declare it in the config: \`capabilities: { ${feature}: true }\` in ${where}`;
}

/** The 400 for a request that needs a feature the target's model does not have. */
export function unsupportedFeatureError(
  target: Target,
  feature: keyof typeof FEATURE_TEXT,
): GatewayError {
  const [text, param] = FEATURE_TEXT[feature];
  const backend = target.model.backend;
  return new GatewayError(
    ErrorCodes.UNSUPPORTED_FEATURE,
    `model '${target.name}' does not support ${text} (capability '${feature}', backend ${backend}); choose a model that does (see GET /v1/gateway/models)${declareHint(target, feature)}`,
    { param, details: { feature, model: target.name, backend } },
  );
}

/**
 * A translator's UNSUPPORTED_FEATURE (the request uses a feature the target's API cannot
 * express) restated for the target, naming the model and its backend; other errors unchanged.
 * Such a 400 never fails over: the client learns what to change instead of silently getting
 * another model.
 */
export function unsupportedByTarget(thrown: unknown, target: Target): unknown {
  if (!(thrown instanceof GatewayError) || thrown.code !== ErrorCodes.UNSUPPORTED_FEATURE) {
    return thrown;
  }
  const backend = target.model.backend;
  return new GatewayError(
    ErrorCodes.UNSUPPORTED_FEATURE,
    `model '${target.name}' (backend ${backend}) cannot take this request: ${thrown.message}`,
    {
      ...(thrown.param === undefined ? {} : { param: thrown.param }),
      details: { ...thrown.details, model: target.name, backend },
    },
  );
}
