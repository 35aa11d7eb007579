import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { RemoteModelConfig } from '@mlx-gateway/shared/config';
import { anthropicToOpenAITransform } from './transforms/anthropic-to-openai-transform.js';
import { withTransform } from './backend.js';
import { isAnthropicApiPath } from '../api/anthropic-paths.js';
import { chatCompletionsEndpoint } from '../api/openai-endpoints.js';
import { unsupportedByTarget } from '../routing/capability-check.js';
import type { Target } from '../routing/target.js';
import { loadTranslators, loadedTranslators } from '../translate/load-translators.js';
import type { Translators } from '../translate/load-translators.js';
import type { OpenAIChatRequest } from '../translate/types.js';
import type { PoolRegistry } from '../upstream/pool-registry.js';
import type { BackendRequest, PreparedRequest } from './backend.js';
import { PooledBackend } from './pooled-backend.js';
import { RemotePlans, withPlanHeaders, type RemotePlan } from './remote-plan.js';
import type { SecretCache } from './secret-cache.js';
import { upstreamBody } from './upstream-body.js';
import { upstreamHeaders } from './upstream-headers.js';

/** The Messages API version the translators speak (and the default for passed-through requests). */
export const ANTHROPIC_VERSION = '2023-06-01';
/**
 * `max_tokens` of a translated request whose client set no limit (Anthropic requires one; the
 * OpenAI API does not). Room for a long answer without reserving a model's whole output window.
 */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface AnthropicBackendOptions {
  pools: PoolRegistry;
  secrets: SecretCache;
  /** Default DEFAULT_ANTHROPIC_MAX_TOKENS. */
  defaultMaxTokens?: number;
}

/** Client headers a passed-through Anthropic request keeps (they select API behaviour). */
const ANTHROPIC_CLIENT_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

const release = (): void => {};

/**
 * The Anthropic Messages API (`backend: anthropic`). Anthropic-format requests
 * (`/v1/messages`, `/v1/messages/count_tokens`) go out untranslated, only `model` replaced by
 * the upstream id, and their responses and streams are relayed byte for byte. OpenAI chat
 * completion requests are translated (a 400 naming the feature when they cannot be) and their
 * answers translated back; other OpenAI operations do not exist on this API. The gateway's key
 * goes in `x-api-key`, resolved from its secret reference and never logged.
 */
export class AnthropicBackend extends PooledBackend {
  private readonly secrets: SecretCache;
  private readonly defaultMaxTokens: number;
  private readonly plans = new RemotePlans({ header: 'x-api-key', bearer: false });

  constructor(options: AnthropicBackendOptions) {
    super(options.pools);
    this.secrets = options.secrets;
    this.defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  }

  prepare(req: BackendRequest): PreparedRequest | Promise<PreparedRequest> {
    const plan = this.plans.get(remoteModel(req.target));
    if (isAnthropicApiPath(req.endpoint.path)) {
      return withPlanHeaders(plan, this.secrets, this.passThrough(req, plan));
    }
    // The translators load on the first translated request; after that, no wait.
    const translators = loadedTranslators();
    if (translators === undefined) {
      return loadTranslators().then((loaded) =>
        withPlanHeaders(plan, this.secrets, this.translated(loaded, req, plan)),
      );
    }
    return withPlanHeaders(plan, this.secrets, this.translated(translators, req, plan));
  }

  private passThrough(
    req: BackendRequest,
    plan: RemotePlan,
  ): (secretHeaders: Record<string, string>) => PreparedRequest {
    const body = upstreamBody(req);
    const client = clientAnthropicHeaders(req.clientHeaders);
    return (secretHeaders) =>
      this.prepared(
        req,
        plan,
        secretHeaders,
        `${plan.where.basePath}${req.endpoint.upstreamPath}`,
        {
          body,
          client,
        },
      );
  }

  private translated(
    translators: Translators,
    req: BackendRequest,
    plan: RemotePlan,
  ): (secretHeaders: Record<string, string>) => PreparedRequest {
    const { target } = req;
    if (req.endpoint.path !== chatCompletionsEndpoint.path) {
      throw new GatewayError(
        ErrorCodes.UNSUPPORTED_FEATURE,
        `model '${target.name}' (backend anthropic) cannot serve ${req.endpoint.path}: the Anthropic API has only chat; use /v1/chat/completions or /v1/messages`,
        {
          param: 'model',
          details: { feature: req.endpoint.capability, model: target.name, backend: 'anthropic' },
        },
      );
    }
    const client = req.request.body as unknown as OpenAIChatRequest;
    let body;
    try {
      body = translators.openAIToAnthropicRequest(client, {
        upstreamModel: target.upstreamModel,
        defaultMaxTokens: this.defaultMaxTokens,
      });
    } catch (err) {
      throw unsupportedByTarget(err, target);
    }
    const text = JSON.stringify(body);
    const includeUsage = client.stream_options?.include_usage === true;
    return (secretHeaders) => {
      const prepared = this.prepared(req, plan, secretHeaders, `${plan.where.basePath}/messages`, {
        body: text,
        client: {},
      });
      return withTransform(
        prepared,
        anthropicToOpenAITransform({
          translators,
          model: req.request.model,
          includeUsage,
          who: prepared.identity,
        }),
      );
    };
  }

  private prepared(
    req: BackendRequest,
    plan: RemotePlan,
    planHeaders: Record<string, string>,
    path: string,
    content: { body: Buffer | string; client: Record<string, string> },
  ): PreparedRequest {
    const extra: Record<string, string> = {
      'anthropic-version': ANTHROPIC_VERSION,
      ...content.client,
      ...planHeaders,
    };
    return {
      upstream: {
        origin: plan.where.origin,
        path,
        headers: upstreamHeaders(req.clientHeaders, req.reqId, extra),
        body: content.body,
      },
      identity: { model: req.target.name, hosts: [plan.where.hostname] },
      release,
    };
  }
}

function clientAnthropicHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ANTHROPIC_CLIENT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function remoteModel(target: Target): RemoteModelConfig {
  if (target.model.kind !== 'remote' || target.model.backend !== 'anthropic') {
    throw new GatewayError(
      ErrorCodes.INTERNAL,
      `model '${target.name}' is not an Anthropic model but was routed to the Anthropic backend`,
    );
  }
  return target.model;
}
