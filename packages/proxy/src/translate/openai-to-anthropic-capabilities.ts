import type { CapabilityMatrix, FeatureContext } from './capability-matrix.js';
import { isObject } from './guards.js';

const THINKING_ON = (context: FeatureContext): boolean => {
  const effort = context.request.reasoning_effort;
  return typeof effort === 'string' && effort !== 'none';
};

const nonZero = (value: unknown): boolean => typeof value === 'number' && value !== 0;

/** OpenAI Chat Completions requests sent to an Anthropic Messages backend. */
export const OPENAI_TO_ANTHROPIC_CAPABILITIES: CapabilityMatrix = {
  source: 'OpenAI Chat Completions',
  target: 'Anthropic',
  entries: [
    // ── translated ──
    {
      feature: 'system and developer messages',
      location: { in: 'message', roles: ['system', 'developer'] },
      disposition: 'translated',
      note: 'all of them, wherever they appear, merged in order into `system` text blocks; `cache_control` on their parts is kept',
    },
    {
      feature: 'consecutive messages of the same role',
      location: { in: 'message', roles: ['user', 'assistant', 'tool'] },
      disposition: 'translated',
      note: 'merged into one message (Anthropic requires alternating roles); in a merged user message `tool_result` blocks come first, as Anthropic requires; messages with no content are left out',
    },
    {
      feature: 'text content parts',
      location: { in: 'content', types: ['text'] },
      disposition: 'translated',
      note: '`text` blocks; empty strings are left out (Anthropic rejects empty text blocks)',
    },
    {
      feature: 'image_url content parts',
      location: { in: 'content', types: ['image_url'] },
      disposition: 'translated',
      note: 'a base64 `data:` URL becomes a `base64` image source, an http(s) URL a `url` source',
    },
    {
      feature: 'image_url detail',
      location: { in: 'content', types: ['image_url'] },
      disposition: 'ignored',
      note: 'Anthropic chooses the image resolution itself',
      when: (part) => isObject(part) && isObject(part.image_url) && part.image_url.detail != null,
    },
    {
      feature: 'PDF file content parts',
      location: { in: 'content', types: ['file'] },
      disposition: 'translated',
      note: '`file_data` holding a `data:application/pdf;base64,` URL becomes a `document` block',
    },
    {
      feature: 'assistant tool_calls',
      location: { in: 'message-field', key: 'tool_calls' },
      disposition: 'translated',
      note: '`tool_use` blocks with the arguments parsed; arguments that are not a JSON object are INVALID_REQUEST naming the message',
    },
    {
      feature: 'tool messages',
      location: { in: 'message', roles: ['tool'] },
      disposition: 'translated',
      note: '`tool_result` blocks in a user message; consecutive tool messages share one user message',
    },
    {
      feature: 'assistant thinking_blocks',
      location: { in: 'message-field', key: 'thinking_blocks' },
      disposition: 'translated',
      note: 'sent back as `thinking` / `redacted_thinking` blocks with their signatures, before the text',
    },
    {
      feature: 'assistant reasoning_content without thinking_blocks',
      location: { in: 'message-field', key: 'reasoning_content' },
      disposition: 'ignored',
      note: 'Anthropic accepts prior thinking only with its signature; unsigned reasoning text is left out (Anthropic drops prior-turn thinking from the context anyway)',
      when: (_value, { parent }) => parent.thinking_blocks == null,
    },
    {
      feature: 'cache_control on content parts and messages',
      location: { in: 'content-field', key: 'cache_control' },
      disposition: 'translated',
      note: 'kept on the matching block; `cache_control` on a message goes to its last block',
    },
    {
      feature: 'tools',
      location: { in: 'request', key: 'tools' },
      disposition: 'translated',
      note: '`parameters` becomes `input_schema` (an empty object schema when absent)',
    },
    {
      feature: 'strict function schemas',
      location: { in: 'tool' },
      disposition: 'ignored',
      note: 'Anthropic has no strict mode: the tool is still sent, but arguments are not guaranteed to match the schema',
      when: (tool) => isObject(tool) && isObject(tool.function) && tool.function.strict === true,
    },
    {
      feature: 'tool_choice',
      location: { in: 'request', key: 'tool_choice' },
      disposition: 'translated',
      note: '`auto`→auto, `none`→none, `required`→any, a named function→tool',
    },
    {
      feature: 'parallel_tool_calls',
      location: { in: 'request', key: 'parallel_tool_calls' },
      disposition: 'translated',
      note: '`false` sets `disable_parallel_tool_use` on the tool choice (auto when none is given)',
    },
    {
      feature: 'stop',
      location: { in: 'request', key: 'stop' },
      disposition: 'translated',
      note: 'a string or an array becomes `stop_sequences`',
    },
    {
      feature: 'max_tokens and max_completion_tokens',
      location: { in: 'request', key: 'max_tokens' },
      disposition: 'translated',
      note: '`max_tokens` (Anthropic requires it): `max_completion_tokens`, else `max_tokens`, else the configured default',
    },
    {
      feature: 'temperature',
      location: { in: 'request', key: 'temperature' },
      disposition: 'translated',
      note: 'passed on, values above 1 capped at 1 (Anthropic accepts 0 to 1, as its own OpenAI compatibility layer does)',
    },
    {
      feature: 'top_p and top_k',
      location: { in: 'request', key: 'top_p' },
      disposition: 'translated',
      note: 'passed on unchanged',
    },
    {
      feature: 'user and safety_identifier',
      location: { in: 'request', key: 'user' },
      disposition: 'translated',
      note: '`metadata.user_id` (`user` first, else `safety_identifier`)',
    },
    {
      feature: 'stream and stream_options.include_usage',
      location: { in: 'request', key: 'stream' },
      disposition: 'translated',
      note: '`stream: true`; `include_usage` tells the stream translator to add the usage chunk',
    },
    {
      feature: 'reasoning_effort',
      location: { in: 'request', key: 'reasoning_effort' },
      disposition: 'translated',
      note: '`thinking` with a token budget per effort level (see the budget table)',
    },
    // ── ignored: no equivalent, no effect on the output's content or shape ──
    {
      feature: 'seed',
      location: { in: 'request', key: 'seed' },
      disposition: 'ignored',
      note: 'Anthropic has no seed; OpenAI documents seeded sampling as best-effort only',
    },
    {
      feature: 'store',
      location: { in: 'request', key: 'store' },
      disposition: 'ignored',
      note: 'OpenAI-side storage of completions; nothing is stored',
    },
    {
      feature: 'metadata',
      location: { in: 'request', key: 'metadata' },
      disposition: 'ignored',
      note: 'tags for OpenAI stored completions; not sent',
    },
    {
      feature: 'service_tier',
      location: { in: 'request', key: 'service_tier' },
      disposition: 'ignored',
      note: 'OpenAI tiers do not match Anthropic tiers; latency and price only',
    },
    {
      feature: 'prompt_cache_key',
      location: { in: 'request', key: 'prompt_cache_key' },
      disposition: 'ignored',
      note: 'an OpenAI cache routing hint; Anthropic caching uses `cache_control`',
    },
    {
      feature: 'prediction',
      location: { in: 'request', key: 'prediction' },
      disposition: 'ignored',
      note: 'predicted outputs only change latency',
    },
    {
      feature: 'message name',
      location: { in: 'message-field', key: 'name' },
      disposition: 'ignored',
      note: 'Anthropic messages have no participant names',
    },
    // ── rejected: no equivalent, and dropping them would change the output ──
    {
      feature: 'audio input (input_audio content parts)',
      location: { in: 'content', types: ['input_audio'] },
      disposition: 'rejected',
      note: 'Anthropic models take no audio input',
    },
    {
      feature: 'file content parts other than PDF data',
      location: { in: 'content', types: ['file'] },
      disposition: 'rejected',
      note: 'only a PDF passed inline as `file_data` can be sent; OpenAI file ids mean nothing to Anthropic',
      when: (part) =>
        !(
          isObject(part) &&
          isObject(part.file) &&
          typeof part.file.file_data === 'string' &&
          part.file.file_data.startsWith('data:application/pdf;base64,')
        ),
    },
    {
      feature: 'n greater than 1',
      location: { in: 'request', key: 'n' },
      disposition: 'rejected',
      note: 'Anthropic returns one completion per request',
      when: (value) => typeof value === 'number' && value > 1,
    },
    {
      feature: 'logprobs',
      location: { in: 'request', key: 'logprobs' },
      disposition: 'rejected',
      note: 'Anthropic does not return token log probabilities',
      when: (value) => value === true,
    },
    {
      feature: 'top_logprobs',
      location: { in: 'request', key: 'top_logprobs' },
      disposition: 'rejected',
      note: 'Anthropic does not return token log probabilities',
      when: nonZero,
    },
    {
      feature: 'logit_bias',
      location: { in: 'request', key: 'logit_bias' },
      disposition: 'rejected',
      note: 'Anthropic has no token biasing',
      when: (value) => isObject(value) && Object.keys(value).length > 0,
    },
    {
      feature: 'response_format json_object or json_schema',
      location: { in: 'request', key: 'response_format' },
      disposition: 'rejected',
      note: 'JSON output is not enforced on this backend; describe the shape as a tool and use tool_choice instead',
      when: (value) => isObject(value) && value.type !== 'text',
    },
    {
      feature: 'audio output (modalities audio)',
      location: { in: 'request', key: 'modalities' },
      disposition: 'rejected',
      note: 'Anthropic models produce text only',
      when: (value) => Array.isArray(value) && value.some((m) => m !== 'text'),
    },
    {
      feature: 'audio output parameters',
      location: { in: 'request', key: 'audio' },
      disposition: 'rejected',
      note: 'Anthropic models produce text only',
    },
    {
      feature: 'presence_penalty',
      location: { in: 'request', key: 'presence_penalty' },
      disposition: 'rejected',
      note: 'Anthropic has no repetition penalties (0 is accepted)',
      when: nonZero,
    },
    {
      feature: 'frequency_penalty',
      location: { in: 'request', key: 'frequency_penalty' },
      disposition: 'rejected',
      note: 'Anthropic has no repetition penalties (0 is accepted)',
      when: nonZero,
    },
    {
      feature: 'verbosity',
      location: { in: 'request', key: 'verbosity' },
      disposition: 'rejected',
      note: 'Anthropic has no verbosity control',
    },
    {
      feature: 'web_search_options',
      location: { in: 'request', key: 'web_search_options' },
      disposition: 'rejected',
      note: 'OpenAI web search is not available on this backend',
    },
    {
      feature: 'legacy functions',
      location: { in: 'request', key: 'functions' },
      disposition: 'rejected',
      note: 'the deprecated `functions` API is not translated; use `tools`',
    },
    {
      feature: 'legacy function_call',
      location: { in: 'request', key: 'function_call' },
      disposition: 'rejected',
      note: 'the deprecated `function_call` is not translated; use `tool_choice`',
    },
    {
      feature: 'function role messages',
      location: { in: 'message', roles: ['function'] },
      disposition: 'rejected',
      note: 'the deprecated `function` role is not translated; use `tool` messages',
    },
    {
      feature: 'tools other than functions',
      location: { in: 'tool' },
      disposition: 'rejected',
      note: 'only `type: "function"` tools have an Anthropic equivalent',
      when: (tool) => !isObject(tool) || tool.type !== 'function',
    },
    {
      feature: 'tool_choice allowed_tools or custom',
      location: { in: 'request', key: 'tool_choice' },
      disposition: 'rejected',
      note: 'only auto, none, required and a named function translate',
      when: (value) => isObject(value) && value.type !== 'function',
    },
    {
      feature: 'temperature with reasoning_effort',
      location: { in: 'request', key: 'temperature' },
      disposition: 'rejected',
      note: 'Anthropic extended thinking only runs at temperature 1',
      when: (value, context) => THINKING_ON(context) && value !== 1,
    },
    {
      feature: 'top_k with reasoning_effort',
      location: { in: 'request', key: 'top_k' },
      disposition: 'rejected',
      note: 'Anthropic extended thinking does not accept top_k',
      when: (_value, context) => THINKING_ON(context),
    },
    {
      feature: 'top_p below 0.95 with reasoning_effort',
      location: { in: 'request', key: 'top_p' },
      disposition: 'rejected',
      note: 'Anthropic extended thinking accepts top_p from 0.95 to 1 only',
      when: (value, context) => THINKING_ON(context) && typeof value === 'number' && value < 0.95,
    },
    {
      feature: 'forced tool_choice with reasoning_effort',
      location: { in: 'request', key: 'tool_choice' },
      disposition: 'rejected',
      note: 'Anthropic extended thinking allows only auto or none tool choice',
      when: (value, context) => THINKING_ON(context) && value !== 'auto' && value !== 'none',
    },
  ],
};
