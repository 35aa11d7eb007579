import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { RemoteModelConfig } from '@mlx-gateway/shared/config';
import type { Target } from '../routing/target.js';
import type { PoolRegistry } from '../upstream/pool-registry.js';
import type { BackendRequest, PreparedRequest } from './backend.js';
import { PooledBackend } from './pooled-backend.js';
import { RemotePlans, withPlanHeaders, type RemotePlan } from './remote-plan.js';
import type { SecretCache } from './secret-cache.js';
import { openAIUpstreamBody } from './upstream-body.js';
import { upstreamHeaders } from './upstream-headers.js';

export interface OpenAIBackendOptions {
  pools: PoolRegistry;
  secrets: SecretCache;
}

const release = (): void => {};

/**
 * OpenAI and OpenAI-compatible HTTP APIs. The request body goes out as the client sent it
 * (model replaced); the gateway's own key is sent as `Authorization: Bearer`, resolved from its
 * secret reference (cached briefly, never logged), and the client's credentials never are.
 */
export class OpenAIBackend extends PooledBackend {
  private readonly secrets: SecretCache;
  private readonly plans = new RemotePlans({ header: 'authorization', bearer: true });

  constructor(options: OpenAIBackendOptions) {
    super(options.pools);
    this.secrets = options.secrets;
  }

  prepare(req: BackendRequest): PreparedRequest | Promise<PreparedRequest> {
    const plan = this.plans.get(remoteModel(req.target));
    return withPlanHeaders(plan, this.secrets, (extra) => this.prepared(req, plan, extra));
  }

  private prepared(
    req: BackendRequest,
    plan: RemotePlan,
    extra: Record<string, string>,
  ): PreparedRequest {
    const { body, usageInjected } = openAIUpstreamBody(req);
    const prepared: PreparedRequest = {
      upstream: {
        origin: plan.where.origin,
        path: `${plan.where.basePath}${req.endpoint.upstreamPath}`,
        headers: upstreamHeaders(req.clientHeaders, req.reqId, extra),
        body,
      },
      identity: { model: req.target.name, hosts: [plan.where.hostname] },
      release,
    };
    if (usageInjected) prepared.usageInjected = true;
    return prepared;
  }
}

function remoteModel(target: Target): RemoteModelConfig {
  if (target.model.kind !== 'remote') {
    throw new GatewayError(
      ErrorCodes.INTERNAL,
      `model '${target.name}' is not a remote model but was routed to the OpenAI backend`,
    );
  }
  return target.model;
}
