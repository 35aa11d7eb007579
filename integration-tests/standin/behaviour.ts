// How the stand-in behaves, read from MLX_STANDIN_* environment variables (the real CLI rejects
// unknown flags, so tests cannot pass these as options) and, per request, from x-standin-* headers.
import type { IncomingHttpHeaders } from 'node:http';

export type StreamMode =
  { kind: 'normal' } | { kind: 'stall-after' | 'break-after' | 'error-after'; after: number };

export type FailMode = 'none' | 'crash-during-load' | 'exit0-after-error' | 'never-ready';

/** What one generation request does; the server's defaults, possibly overridden per request. */
export interface RequestBehaviour {
  /** Delay between two tokens, in ms; 0 writes as fast as possible, still one write per token. */
  tokenMs: number;
  /** Silent gap before the first chunk, in ms. */
  firstTokenMs: number;
  /** Tokens generated when the request sets no max_tokens. */
  tokens: number;
  stream: StreamMode;
  /** Emit reasoning_content before the answer. */
  reasoning: boolean;
  /** Call the first two tools instead of one when a request offers at least two. */
  parallelTools: boolean;
  /**
   * When offered tools are called: `auto`, whenever the last message is the user's; `asked`,
   * only when the user's last message asks for one (`call-tool:NAME {json}`), as an agent
   * client that always offers tools needs. Asking works in both modes.
   */
  toolCalls: ToolCallMode;
}

export type ToolCallMode = 'auto' | 'asked';

/** What the process does while it starts and stops. */
export interface ProcessBehaviour {
  loadMs: number;
  progressMs: number;
  fail: FailMode;
  ignoreSigterm: boolean;
  grandchild: boolean;
  /** MiB of real resident memory held from the start of the load on (0: none). */
  rssMb: number;
}

export interface Behaviour {
  process: ProcessBehaviour;
  request: RequestBehaviour;
}

export const DEFAULT_REQUEST_BEHAVIOUR: RequestBehaviour = {
  tokenMs: 0,
  firstTokenMs: 0,
  tokens: 16,
  stream: { kind: 'normal' },
  reasoning: false,
  parallelTools: false,
  toolCalls: 'auto',
};

export const DEFAULT_PROCESS_BEHAVIOUR: ProcessBehaviour = {
  loadMs: 300,
  progressMs: 15_000,
  fail: 'none',
  ignoreSigterm: false,
  grandchild: false,
  rssMb: 0,
};

/** A bad MLX_STANDIN_* variable or x-standin-* header; `source` names it. */
export class BehaviourError extends Error {
  readonly code = 'STANDIN_BAD_BEHAVIOUR';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'BehaviourError';
  }
}

const FAIL_MODES: readonly FailMode[] = [
  'none',
  'crash-during-load',
  'exit0-after-error',
  'never-ready',
];

function count(source: string, text: string, min = 0): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || !Number.isSafeInteger(Number(trimmed))) {
    throw new BehaviourError(source, `expected an integer >= ${min}, got '${text}'`);
  }
  return Number(trimmed);
}

function flag(source: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  throw new BehaviourError(source, `expected 1 or 0, got '${text}'`);
}

function parseToolCalls(source: string, text: string): ToolCallMode {
  const value = text.trim();
  if (value === 'auto' || value === 'asked') return value;
  throw new BehaviourError(source, `expected auto or asked, got '${text}'`);
}

/** Parses `stall-after:N`, `break-after:N`, `error-after:N` or `normal`. */
export function parseStreamMode(source: string, text: string): StreamMode {
  const value = text.trim();
  if (value === '' || value === 'normal') return { kind: 'normal' };
  const match = /^(stall-after|break-after|error-after):(.+)$/.exec(value);
  if (!match?.[1] || match[2] === undefined) {
    throw new BehaviourError(
      source,
      `expected normal, stall-after:N, break-after:N or error-after:N, got '${text}'`,
    );
  }
  const kind = match[1] as 'stall-after' | 'break-after' | 'error-after';
  return { kind, after: count(source, match[2]) };
}

function parseFail(source: string, text: string): FailMode {
  const value = text.trim() === '' ? 'none' : text.trim();
  const mode = FAIL_MODES.find((candidate) => candidate === value);
  if (!mode) throw new BehaviourError(source, `expected one of ${FAIL_MODES.join(', ')}`);
  return mode;
}

/** Reads the MLX_STANDIN_* variables; throws BehaviourError on a malformed value. */
export function behaviourFromEnv(env: NodeJS.ProcessEnv): Behaviour {
  const read = <T>(name: string, parse: (source: string, text: string) => T, fallback: T): T => {
    const text = env[name];
    return text === undefined ? fallback : parse(name, text);
  };
  const d = DEFAULT_REQUEST_BEHAVIOUR;
  const p = DEFAULT_PROCESS_BEHAVIOUR;
  return {
    process: {
      loadMs: read('MLX_STANDIN_LOAD_MS', count, p.loadMs),
      progressMs: read('MLX_STANDIN_PROGRESS_MS', (s, t) => count(s, t, 1), p.progressMs),
      fail: read('MLX_STANDIN_FAIL', parseFail, p.fail),
      ignoreSigterm: read('MLX_STANDIN_IGNORE_SIGTERM', flag, p.ignoreSigterm),
      grandchild: read('MLX_STANDIN_GRANDCHILD', flag, p.grandchild),
      rssMb: read('MLX_STANDIN_RSS_MB', count, p.rssMb),
    },
    request: {
      tokenMs: read('MLX_STANDIN_TOKEN_MS', count, d.tokenMs),
      firstTokenMs: read('MLX_STANDIN_FIRST_TOKEN_MS', count, d.firstTokenMs),
      tokens: read('MLX_STANDIN_TOKENS', (s, t) => count(s, t, 1), d.tokens),
      stream: read('MLX_STANDIN_STREAM', parseStreamMode, d.stream),
      reasoning: read('MLX_STANDIN_REASONING', flag, d.reasoning),
      parallelTools: read('MLX_STANDIN_PARALLEL_TOOLS', flag, d.parallelTools),
      toolCalls: read('MLX_STANDIN_TOOL_CALLS', parseToolCalls, d.toolCalls),
    },
  };
}

/** The request headers a test may send to change one request's behaviour. */
export const BEHAVIOUR_HEADERS = {
  tokenMs: 'x-standin-token-ms',
  firstTokenMs: 'x-standin-first-token-ms',
  tokens: 'x-standin-tokens',
  stream: 'x-standin-stream',
  reasoning: 'x-standin-reasoning',
  parallelTools: 'x-standin-parallel-tools',
  toolCalls: 'x-standin-tool-calls',
} as const satisfies Record<keyof RequestBehaviour, string>;

/** Applies x-standin-* headers over the server's defaults; throws BehaviourError on a bad one. */
export function behaviourForRequest(
  base: RequestBehaviour,
  headers: IncomingHttpHeaders,
): RequestBehaviour {
  const read = <T>(name: string, parse: (source: string, text: string) => T, fallback: T): T => {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    return text === undefined ? fallback : parse(name, text);
  };
  const h = BEHAVIOUR_HEADERS;
  return {
    tokenMs: read(h.tokenMs, count, base.tokenMs),
    firstTokenMs: read(h.firstTokenMs, count, base.firstTokenMs),
    tokens: read(h.tokens, (s, t) => count(s, t, 1), base.tokens),
    stream: read(h.stream, parseStreamMode, base.stream),
    reasoning: read(h.reasoning, flag, base.reasoning),
    parallelTools: read(h.parallelTools, flag, base.parallelTools),
    toolCalls: read(h.toolCalls, parseToolCalls, base.toolCalls),
  };
}
