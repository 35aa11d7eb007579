// The bodies the fake OpenAI cloud answers with: errors in OpenAI's format, the model list, chat
// and legacy completions (JSON or SSE, the words given) and embeddings derived from the input.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Where a stream stops early: stall (keep the connection open) or break it after N chunks. */
export interface StreamLimits {
  stallAfterChunks: number | undefined;
  breakAfterChunks: number | undefined;
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', 'internal_error'],
  503: ['server_error', 'overloaded'],
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function errorBody(status: number, message: string): unknown {
  const [type, code] = ERROR_TYPES[status] ?? ['server_error', String(status)];
  return { error: { message, type, param: null, code } };
}

export function sendModelList(res: ServerResponse, models: string[]): void {
  sendJson(res, 200, {
    object: 'list',
    data: models.map((id) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'fake-cloud',
    })),
  });
}

/** A non-streamed chat completion, or a legacy completion for /v1/completions. */
export function sendCompleted(
  res: ServerResponse,
  path: string,
  model: string,
  words: string[],
): void {
  const content = words.join(' ');
  const usage = {
    prompt_tokens: 5,
    completion_tokens: words.length,
    total_tokens: 5 + words.length,
  };
  if (path === '/v1/completions') {
    sendJson(res, 200, {
      id: 'cmpl-fake',
      object: 'text_completion',
      created: 1,
      model,
      choices: [{ index: 0, text: content, finish_reason: 'stop', logprobs: null }],
      usage,
    });
    return;
  }
  sendJson(res, 200, {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' },
    ],
    usage,
  });
}

/** An SSE stream of one chunk per word (chat or legacy completion), usage when asked, [DONE]. */
export function sendStreamed(
  res: ServerResponse,
  path: string,
  json: Record<string, unknown>,
  model: string,
  words: string[],
  limits: StreamLimits,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chat = path === '/v1/chat/completions';
  const event = (payload: unknown): void => {
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  const chunk = (delta: Record<string, unknown> | string, finish: string | null): unknown =>
    chat
      ? {
          id: 'chatcmpl-fake',
          object: 'chat.completion.chunk',
          created: 1,
          model,
          choices: [{ index: 0, delta, finish_reason: finish }],
        }
      : {
          id: 'cmpl-fake',
          object: 'text_completion',
          created: 1,
          model,
          choices: [{ index: 0, text: delta, finish_reason: finish, logprobs: null }],
        };
  if (chat) event(chunk({ role: 'assistant', content: '' }, null));
  const { stallAfterChunks, breakAfterChunks } = limits;
  for (let i = 0; i < words.length; i++) {
    if (stallAfterChunks !== undefined && i >= stallAfterChunks) return;
    if (breakAfterChunks !== undefined && i >= breakAfterChunks) {
      res.socket?.destroy();
      return;
    }
    const text = i === 0 ? (words[i] as string) : ` ${words[i] as string}`;
    event(chunk(chat ? { content: text } : text, null));
  }
  event(chunk(chat ? {} : '', 'stop'));
  const options = json['stream_options'] as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    event({
      id: 'chatcmpl-fake',
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      created: 1,
      model,
      choices: [],
      usage: {
        prompt_tokens: 5,
        completion_tokens: words.length,
        total_tokens: 5 + words.length,
      },
    });
  }
  res.end('data: [DONE]\n\n');
}

/** One 8-dimension vector per input, derived from a hash of it (same input, same vector). */
export function sendEmbeddings(
  res: ServerResponse,
  json: Record<string, unknown>,
  model: string,
): void {
  const input = json['input'];
  const inputs = Array.isArray(input) ? input : [input];
  const data = inputs.map((item, index) => {
    const digest = createHash('sha256').update(JSON.stringify(item)).digest();
    return {
      object: 'embedding',
      index,
      embedding: Array.from({ length: 8 }, (_, i) => (digest[i] as number) / 255),
    };
  });
  sendJson(res, 200, {
    object: 'list',
    data,
    model,
    usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
  });
}
