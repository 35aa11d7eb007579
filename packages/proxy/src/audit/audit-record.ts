/**
 * One line of the audit log: what happened to one request, to whom, how fast and why. Written
 * once, when the request ends. It holds the name of the client key, never the key, and no
 * request or response content unless the operator opted in to a capture.
 */
export interface AuditRecord {
  /** Format version of the line. */
  v: 1;
  /** When the request arrived (ISO 8601, UTC). */
  time: string;
  requestId: string;
  /** Name of the client key presented (absent when the gateway has no client keys). */
  client?: string;
  /** The API called: one of AUDIT_APIS, of GATEWAY_APIS (api-names.ts) or `unknown`. */
  api: string;
  stream: boolean;
  /** The model name the client asked for. */
  model?: string;
  /** The configured model that answered (or was tried last). */
  resolvedModel?: string;
  /** Backend of the resolved model. */
  backend?: string;
  /** Every target tried, in order (more than one when fallbacks ran). */
  attempts: AuditAttempt[];
  /** A local model had to start before the request could be served. */
  coldStart: boolean;
  /** How long the request waited for a local model to become ready, in milliseconds. */
  modelWaitMs?: number;
  /** HTTP status sent to the client (499: the client left before any status was sent). */
  status: number;
  /** Stable code of the error the request ended with. */
  errorCode?: string;
  /** False when the response ended early; `incomplete` says why. */
  complete: boolean;
  incomplete?: IncompleteReason;
  durationMs: number;
  /** From arrival to the first upstream body byte. */
  ttfbMs?: number;
  /** From arrival to the first generated token (first content delta of a stream). */
  ttftMs?: number;
  /** Request body bytes received. */
  bytesIn: number;
  /** Response body bytes sent. */
  bytesOut: number;
  /** Token counts from the upstream's usage, when it sent one. */
  usage?: AuditUsage;
  /** Bodies, when the operator opted in for this model or client key (scrubbed, size-bounded). */
  capture?: AuditCapture;
}

export interface AuditAttempt {
  /** Configured model name of the target. */
  target: string;
  backend: string;
  outcome: AttemptOutcome;
  errorCode?: string;
  durationMs: number;
}

/**
 * `skipped`: a fallback whose API cannot express the request. `limited`: a fallback not sent
 * because its model was over one of its own limits (`errorCode` RATE_LIMITED, or
 * STATE_UNAVAILABLE when the limits could not be checked and `state.whenDown` is `refuse`).
 */
export type AttemptOutcome = 'ok' | 'error' | 'skipped' | 'limited';

/**
 * Token counts, Anthropic's way: `input` excludes the cached tokens, which are counted in
 * `cacheRead` (read from the cache) and `cacheWrite` (written to it). An OpenAI
 * `prompt_tokens` is therefore `input + cacheRead + cacheWrite`.
 */
export interface AuditUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Why a response ended early. */
export type IncompleteReason =
  | 'client_closed'
  /** The operator cancelled the request from the dashboard. */
  | 'cancelled'
  | 'upstream_failed'
  | 'timeout_connect'
  | 'timeout_first_byte'
  | 'timeout_idle'
  | 'timeout_total'
  | 'shutdown';

export interface AuditCapture {
  request?: string;
  response?: string;
  /** A body was longer than the capture limit and was cut. */
  truncated: boolean;
}

/** The APIs the proxy serves today, by path. */
export const AUDIT_APIS: Readonly<Record<string, string>> = {
  '/v1/chat/completions': 'openai.chat',
  '/v1/completions': 'openai.completions',
  '/v1/embeddings': 'openai.embeddings',
  '/v1/messages': 'anthropic.messages',
  '/v1/messages/count_tokens': 'anthropic.count_tokens',
  '/v1/responses': 'openai.responses',
};

/** The audit name of the API served at `path` (an API added later is named by its path). */
export function apiOfPath(path: string): string {
  return AUDIT_APIS[path] ?? path;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * `2xx`, `4xx`, ... of a status (`499` for a client that left counts as 4xx). The same string
 * each time: it keys the metrics' series, looked up once per request.
 */
export function statusClass(status: number): string {
  if (status < 100 || status > 599) return 'other';
  return STATUS_CLASSES[Math.floor(status / 100) - 1] as string;
}
