// What the /v1/messages route tests share: fake upstreams and test proxies closed after each test,
// an Anthropic request with a system prompt and a tool, and builders for the upstream's answers.
import type { AnthropicMessagesRequest } from '../translate/index.js';
import { FakeUpstream } from './fake-upstream.js';
import type { UpstreamExchange } from './fake-upstream.js';
import type { ManualClock } from './manual-clock.js';
import type { SseReader } from './proxy-client.js';
import { startTestProxy } from './test-proxy.js';
import type { TestProxy } from './test-proxy.js';

export const HEARTBEAT_MS = 1_000;

/** Closers of what a test started; `afterEach(runCleanups)` runs them, newest first. */
export const cleanups: Array<() => Promise<void>> = [];

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function upstream(): Promise<FakeUpstream> {
  const fake = await FakeUpstream.start();
  cleanups.push(() => fake.close());
  return fake;
}

export async function proxyFor(models: TestProxy['config']['models'], clock?: ManualClock) {
  const t = await startTestProxy({
    models,
    proxy: { heartbeatMs: HEARTBEAT_MS },
    ...(clock ? { clock } : {}),
  });
  cleanups.push(() => t.close());
  return t;
}

export const question: AnthropicMessagesRequest = {
  model: 'qwen',
  max_tokens: 64,
  system: [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Answer in English.' },
  ],
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ],
  tool_choice: { type: 'any' },
};

export function chunk(delta: object, extra: object = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
}

export function json(ex: UpstreamExchange, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  ex.res.writeHead(status, { 'content-type': 'application/json' });
  ex.res.end(text);
}

/** The parsed `data` of the Anthropic events received so far. */
export function parsed(reader: SseReader): Array<Record<string, unknown>> {
  return reader.events.map((data) => JSON.parse(data) as Record<string, unknown>);
}
