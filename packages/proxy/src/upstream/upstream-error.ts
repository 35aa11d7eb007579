import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { sanitizeUpstreamMessage } from './sanitize-message.js';

/** Who the error is about, as the client may see it. */
export interface UpstreamIdentity {
  /** Public model name. */
  model: string;
  /** Host names of the upstream, to be replaced by the model name in relayed messages. */
  hosts: readonly string[];
}

/** Most bytes of an upstream error body the proxy reads to find its message. */
export const ERROR_BODY_LIMIT = 64 * 1024;

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return (
    messageOf(record['error']) ??
    messageOf(record['message']) ??
    messageOf(record['detail']) ??
    (Array.isArray(record['detail']) ? messageOf(record['detail'][0]) : undefined) ??
    (typeof record['msg'] === 'string' ? record['msg'] : undefined)
  );
}

/** The human message inside an upstream error body (OpenAI, Anthropic, FastAPI or plain text). */
export function upstreamMessage(body: Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return messageOf(JSON.parse(text));
  } catch {
    return /^\s*</.test(text) ? undefined : text;
  }
}

/** The error relayed to the client for an upstream answer with status >= 300. */
export function errorFromUpstreamStatus(
  status: number,
  body: Buffer | undefined,
  who: UpstreamIdentity,
): GatewayError {
  const raw = upstreamMessage(body);
  const said = raw === undefined ? '' : `: ${sanitizeUpstreamMessage(raw, who.model, who.hosts)}`;
  const details = { upstreamStatus: status, model: who.model };
  if (status === 401 || status === 403) {
    return new GatewayError(
      ErrorCodes.UPSTREAM_AUTH,
      `the upstream of model '${who.model}' refused the gateway's credentials (HTTP ${status})${said}; check the model's apiKey in the gateway config`,
      { details },
    );
  }
  if (status === 429) {
    return new GatewayError(
      ErrorCodes.UPSTREAM_RATE_LIMITED,
      `model '${who.model}' is rate limited by its upstream (HTTP 429)${said}`,
      { details },
    );
  }
  if (status >= 400 && status < 500) {
    return new GatewayError(
      ErrorCodes.UPSTREAM_ERROR,
      `model '${who.model}' rejected the request (HTTP ${status})${said}`,
      { status, details },
    );
  }
  return new GatewayError(
    ErrorCodes.UPSTREAM_ERROR,
    `model '${who.model}' failed upstream (HTTP ${status})${said}`,
    { details },
  );
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timeout',
  EPIPE: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_DESTROYED: 'connection closed',
};

export function networkErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function reasonOf(err: unknown): string {
  return NETWORK_REASONS[networkErrorCode(err) ?? ''] ?? 'network error';
}

/** The error for a request that failed before the upstream answered. */
export function errorFromConnectFailure(err: unknown, who: UpstreamIdentity): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(
    ErrorCodes.UPSTREAM_UNREACHABLE,
    `model '${who.model}' is unreachable (${reasonOf(err)})`,
    { details: { model: who.model, reason: networkErrorCode(err) }, cause: err },
  );
}

/** The error for a response that broke off while its body was being read. */
export function errorFromBrokenResponse(err: unknown, who: UpstreamIdentity): GatewayError {
  return new GatewayError(
    ErrorCodes.STREAM_INTERRUPTED,
    `the response of model '${who.model}' was interrupted (${reasonOf(err)})`,
    { details: { model: who.model, reason: networkErrorCode(err) }, cause: err },
  );
}

export type TimeoutPhase = 'connect' | 'first byte' | 'idle' | 'total';

/** The error for a per-target timeout. */
export function timeoutError(phase: TimeoutPhase, ms: number, who: UpstreamIdentity): GatewayError {
  const what =
    phase === 'connect'
      ? `could not connect to model '${who.model}' within ${ms} ms`
      : phase === 'first byte'
        ? `model '${who.model}' sent nothing within ${ms} ms`
        : phase === 'idle'
          ? `model '${who.model}' went silent for ${ms} ms in the middle of its response`
          : `model '${who.model}' did not finish its response within ${ms} ms`;
  return new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, `${what} (timeouts in the gateway config)`, {
    details: { model: who.model, phase, timeoutMs: ms },
  });
}
