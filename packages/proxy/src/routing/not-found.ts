import { ErrorCodes } from '@mlx-gateway/protocol';
import {
  closestMatches,
  LOCAL_PROVIDER,
  matchPrefix,
  WELL_KNOWN_PROVIDERS,
} from '@mlx-gateway/shared/config';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { RoutePrefix } from '@mlx-gateway/shared/config';

/** What the 404 for an unroutable name can point at. */
export interface NotFoundContext {
  /** Configured names and aliases, in config order. */
  publicNames: readonly string[];
  /** Names and aliases of the local models. */
  localNames: readonly string[];
  prefixes: readonly RoutePrefix[];
  /** Names longer than this are not compared with the configured ones (edit distance is quadratic). */
  maxComparedLength: number;
}

const quoted = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');

function notFound(message: string): GatewayError {
  return new GatewayError(ErrorCodes.MODEL_NOT_FOUND, message, { param: 'model' });
}

/**
 * The 404 for a name nothing routes: for `mlx/<x>` the closest local models; for a prefix of a
 * well-known provider that is not configured (`openai/…`), the config that would route it;
 * otherwise the configured names closest to it, or a few configured names.
 */
export function modelNotFoundError(name: string, ctx: NotFoundContext): GatewayError {
  if (name.length > ctx.maxComparedLength) {
    return notFound(
      `model '${name.slice(0, 40)}…' (${name.length} characters) is not configured (see GET /v1/models)`,
    );
  }
  const prefixed = matchPrefix(ctx.prefixes, name);
  if (prefixed?.entry.provider === LOCAL_PROVIDER) {
    const near = closestMatches(prefixed.rest, ctx.localNames).map(
      (local) => `${prefixed.entry.prefix}${local}`,
    );
    const hint =
      near.length > 0
        ? `did you mean ${quoted(near)}?`
        : ctx.localNames.length > 0
          ? `local models include ${quoted(ctx.localNames.slice(0, 3))}`
          : 'no local models are configured';
    return notFound(
      `model '${name}': no local model '${prefixed.rest}' is configured; ${hint} (see GET /v1/gateway/models)`,
    );
  }
  const slash = name.indexOf('/');
  const provider = slash > 0 ? name.slice(0, slash) : undefined;
  const snippet =
    provider !== undefined && Object.hasOwn(WELL_KNOWN_PROVIDERS, provider)
      ? WELL_KNOWN_PROVIDERS[provider]
      : undefined;
  if (prefixed === undefined && snippet !== undefined) {
    return notFound(
      `model '${name}' is routed by the '${provider}/' prefix, but no provider '${provider}' is configured; add it to the gateway config: providers: { ${snippet} }`,
    );
  }
  const closest = closestMatches(name, ctx.publicNames);
  const hint =
    closest.length > 0
      ? `did you mean ${quoted(closest)}?`
      : ctx.publicNames.length > 0
        ? `configured models include ${quoted(ctx.publicNames.slice(0, 3))}`
        : 'no models are configured';
  return notFound(`model '${name}' is not configured; ${hint} (see GET /v1/models)`);
}
