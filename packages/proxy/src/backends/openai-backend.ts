import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared';
import type { ModelConfig, RemoteModelConfig, SecretRef } from '@mlx-gateway/shared';
import type { Target } from '../routing/target.js';
import type { PoolRegistry } from '../upstream/pool-registry.js';
import { UpstreamCall } from '../upstream/upstream-call.js';
import type { UpstreamListener } from '../upstream/upstream-call.js';
import { upstreamOrigin } from '../upstream/upstream-origin.js';
import type { UpstreamOrigin } from '../upstream/upstream-origin.js';
import type { Backend, BackendHealth, BackendRequest, PreparedRequest } from './backend.js';
import type { SecretCache } from './secret-cache.js';
import { upstreamBody } from './upstream-body.js';
import { upstreamHeaders } from './upstream-headers.js';

export interface OpenAIBackendOptions {
  pools: PoolRegistry;
  secrets: SecretCache;
}

/** What is fixed per configured remote model or provider, worked out on its first request. */
interface RemotePlan {
  where: UpstreamOrigin;
  staticHeaders: Record<string, string>;
  /** Secrets to resolve per request: the API key, then secret-valued headers. */
  secrets: Array<{ header: string; ref: SecretRef; bearer: boolean }>;
}

const release = (): void => {};

/**
 * OpenAI and OpenAI-compatible HTTP APIs. The request body goes out as the client sent it
 * (model replaced); the gateway's own key is sent as `Authorization: Bearer`, resolved from its
 * secret reference (cached briefly, never logged), and the client's credentials never are.
 */
export class OpenAIBackend implements Backend {
  private readonly pools: PoolRegistry;
  private readonly secrets: SecretCache;
  /**
   * Keyed by the model settings object, not the public name: every name a provider prefix or
   * rule routes shares its provider's one object, so clients choosing names cannot grow this.
   */
  private readonly plans = new WeakMap<ModelConfig, RemotePlan>();

  constructor(options: OpenAIBackendOptions) {
    this.pools = options.pools;
    this.secrets = options.secrets;
  }

  prepare(req: BackendRequest): PreparedRequest | Promise<PreparedRequest> {
    const plan = this.planFor(req.target);
    const values: string[] = [];
    for (const secret of plan.secrets) {
      const value = this.secrets.peek(secret.ref);
      if (value === undefined) {
        return Promise.all(plan.secrets.map((s) => this.secrets.get(s.ref))).then((all) =>
          this.prepared(req, plan, all),
        );
      }
      values.push(value);
    }
    return this.prepared(req, plan, values);
  }

  send(prepared: PreparedRequest, listener: UpstreamListener): UpstreamCall {
    const call = new UpstreamCall(listener);
    call.start(this.pools.get(prepared.upstream.origin), prepared.upstream);
    return call;
  }

  health(): BackendHealth {
    return { state: 'remote' };
  }

  private prepared(req: BackendRequest, plan: RemotePlan, values: string[]): PreparedRequest {
    const extra: Record<string, string> = { ...plan.staticHeaders };
    plan.secrets.forEach((secret, i) => {
      const value = values[i] as string;
      extra[secret.header] = secret.bearer ? `Bearer ${value}` : value;
    });
    return {
      upstream: {
        origin: plan.where.origin,
        path: `${plan.where.basePath}${req.endpoint.upstreamPath}`,
        headers: upstreamHeaders(req.clientHeaders, req.reqId, extra),
        body: upstreamBody(req),
      },
      identity: { model: req.target.name, hosts: [plan.where.hostname] },
      release,
    };
  }

  private planFor(target: Target): RemotePlan {
    let plan = this.plans.get(target.model);
    if (plan === undefined) {
      const model = remoteModel(target);
      const staticHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(model.headers)) {
        staticHeaders[name.toLowerCase()] = value;
      }
      const secrets: RemotePlan['secrets'] = [];
      if (model.apiKey !== undefined) {
        secrets.push({ header: 'authorization', ref: model.apiKey, bearer: true });
      }
      for (const [name, ref] of Object.entries(model.secretHeaders ?? {})) {
        secrets.push({ header: name.toLowerCase(), ref, bearer: false });
      }
      plan = { where: upstreamOrigin(model.baseUrl), staticHeaders, secrets };
      this.plans.set(target.model, plan);
    }
    return plan;
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
