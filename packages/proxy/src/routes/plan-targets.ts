import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import { missingFeature, unsupportedFeatureError } from '../routing/capability-check.js';
import type { RequiredFeatures } from '../routing/capability-check.js';
import type { Resolution, Target } from '../routing/target.js';
import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { ApiRequest } from '../api/api-request.js';

function backendName(target: Target): string {
  return target.model.kind === 'local' ? 'local' : target.model.backend;
}

function notThroughOpenAI(target: Target): GatewayError {
  return new GatewayError(
    ErrorCodes.UNSUPPORTED_FEATURE,
    `model '${target.name}' is served by the ${backendName(target)} API, which the OpenAI-format routes cannot reach; use a model with an OpenAI-compatible backend`,
    { param: 'model', details: { feature: 'openai-api', model: target.name } },
  );
}

/**
 * The targets a request will try, in order, each with its backend. The primary target must
 * support what the request needs (else a 400 naming the feature and the model); fallbacks
 * that do not are left out of the chain.
 */
export function planTargets(
  resolution: Resolution,
  endpoint: ApiEndpoint,
  request: ApiRequest,
  backends: BackendRegistry,
): PlannedTarget[] {
  const needs: RequiredFeatures = {
    operation: endpoint.capability,
    tools: request.usesTools,
    vision: request.usesImages,
  };
  const plan: PlannedTarget[] = [];
  resolution.targets.forEach((target, index) => {
    const backend = backends.for(target);
    const missing = backend === undefined ? undefined : missingFeature(target, needs);
    if (backend !== undefined && missing === undefined) {
      plan.push({ target, backend, backendName: backendName(target) });
      return;
    }
    if (index > 0) return;
    throw backend === undefined
      ? notThroughOpenAI(target)
      : unsupportedFeatureError(target, missing as NonNullable<typeof missing>);
  });
  return plan;
}
