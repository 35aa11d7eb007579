import { LIMIT_USAGE_PATH, OPERATOR_KEY_NAME, isLoopbackHost } from '@mlx-gateway/proxy';
import type { LimitUsageBody } from '@mlx-gateway/proxy';
import type { LimitUsage, LimitedScope } from '@mlx-gateway/shared/clients';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { openSecretStore, resolveSecret } from '@mlx-gateway/shared/secrets';
import { scopeId } from './limit-usage-reading.js';
import type { ReadUsageOptions, UsageReading } from './limit-usage-reading.js';

/** How long the CLI waits for the proxy's report. */
const REPORT_TIMEOUT_MS = 5_000;

/**
 * The proxy of the config, as this machine reaches it: a wildcard listen address (`0.0.0.0`,
 * `::`) is asked on loopback, where the report needs no key.
 */
export function proxyUrlOf(config: GatewayConfig): string {
  const { host, port } = config.proxy;
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  const reach = wildcard ? (host.includes(':') ? '::1' : '127.0.0.1') : host;
  const bare = reach.startsWith('[') ? reach.slice(1, -1) : reach;
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/**
 * The operator key for a proxy that is not on loopback (the report answers loopback callers
 * without one): `MLX_GATEWAY_OPERATOR_KEY` in the environment, else the secret store's entry,
 * as the proxy finds it. Undefined when neither holds one.
 */
async function operatorKey(
  config: GatewayConfig | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const fromEnv = env[OPERATOR_KEY_NAME];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (config === undefined) return undefined;
  try {
    const store = await openSecretStore(config.home);
    return await resolveSecret({ kind: 'store', name: OPERATOR_KEY_NAME }, { store });
  } catch {
    return undefined;
  }
}

/** The report's body as received: checked field by field (another version may differ). */
type ReportBody = { [K in keyof LimitUsageBody]?: unknown };

function entries(list: unknown): Array<{ name: string; usage: LimitUsage }> {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const entry = item as { name?: unknown; usage?: unknown };
    return typeof entry?.name === 'string' && typeof entry.usage === 'object' && entry.usage
      ? [{ name: entry.name, usage: entry.usage as LimitUsage }]
      : [];
  });
}

/**
 * Asks the proxy's GET /v1/gateway/limits (the only way to the counts of the embedded store,
 * which live in the proxy's memory). Each scope the report does not list (a key created after
 * the proxy last read clients.json, a model of a config it has not reloaded) stays unread.
 */
export async function readProxyUsage(
  config: GatewayConfig | undefined,
  scopes: readonly LimitedScope[],
  options: ReadUsageOptions,
): Promise<UsageReading> {
  const base = (options.proxyUrl ?? proxyUrlOf(config!)).replace(/\/+$/, '');
  const url = `${base}${LIMIT_USAGE_PATH}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  const remote = !isLoopbackHost(hostOf(base));
  const key = remote ? await operatorKey(config, options.env ?? process.env) : undefined;
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(REPORT_TIMEOUT_MS) });
  } catch (err) {
    const why =
      err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return {
      usage: new Map(),
      note:
        `usage not shown: no proxy answered at ${base} (${why})` +
        (config?.state?.redis === undefined
          ? '; with the embedded state store the counts live in the running proxy (start the ' +
            'gateway with `mlx-gateway up`, or name another proxy with `--proxy URL`)'
          : ''),
    };
  }
  if (res.status === 404) {
    await res.body?.cancel();
    const how = remote
      ? `from elsewhere than loopback it needs the operator key (${OPERATOR_KEY_NAME}${key === undefined ? ', not set here' : ', which it did not accept'})`
      : 'it may be an older version: restart it';
    return {
      usage: new Map(),
      note: `usage not shown: the proxy at ${base} has no usage report (${how})`,
    };
  }
  const text = await res.text();
  if (res.status !== 200) {
    return {
      usage: new Map(),
      note: `usage not shown: the proxy at ${base} answered ${res.status}: ${errorMessage(text)}`,
    };
  }
  let body: ReportBody;
  try {
    body = JSON.parse(text) as ReportBody;
  } catch {
    return {
      usage: new Map(),
      note: `usage not shown: the proxy at ${base} answered something other than JSON`,
    };
  }
  const usage = new Map<string, LimitUsage>();
  for (const { name, usage: u } of entries(body.clients)) usage.set(scopeId('client', name), u);
  for (const { name, usage: u } of entries(body.models)) usage.set(scopeId('model', name), u);
  const missing = scopes.filter((s) => !usage.has(scopeId(s.kind, s.name)));
  const at = typeof body.at === 'string' ? Date.parse(body.at) : Number.NaN;
  return {
    source: 'proxy',
    from: base,
    ...(Number.isFinite(at) ? { at } : {}),
    usage,
    ...(missing.length === 0
      ? {}
      : {
          note: `the proxy at ${base} does not count ${missing.map((s) => `${s.kind} ${s.name}`).join(', ')} (yet): it has not read the change (\`mlx-gateway reload\`)`,
        }),
  };
}

/** The host of `--proxy URL` (or the config's address), or a clear error for a URL that is not one. */
function hostOf(base: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(base);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new Error(`--proxy takes the proxy's URL, like http://127.0.0.1:8081 (got "${base}")`);
  }
  return parsed.hostname;
}

/** The error message of an OpenAI-format error body, or the text itself (shortened). */
function errorMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200);
}
