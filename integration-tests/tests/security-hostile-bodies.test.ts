import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloud } from '../support/fake-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { configureSections, startProxyWithEnv } from '../support/routing-gateway.js';

interface Route {
  path: string;
  format: 'openai' | 'anthropic';
  /** The models the route serves (an Anthropic upstream has no completions or embeddings). */
  models: string[];
  /** A valid body for `model`. */
  valid(model: string): Record<string, unknown>;
}

const chatBody = (model: string) => ({
  model,
  max_tokens: 8,
  messages: [{ role: 'user', content: 'hi' }],
});
const ROUTES: Route[] = [
  { path: '/v1/chat/completions', format: 'openai', models: ['oa', 'an'], valid: chatBody },
  {
    path: '/v1/completions',
    format: 'openai',
    models: ['oa'],
    valid: (model) => ({ model, prompt: 'hi' }),
  },
  {
    path: '/v1/embeddings',
    format: 'openai',
    models: ['oa'],
    valid: (model) => ({ model, input: 'hi' }),
  },
  { path: '/v1/messages', format: 'anthropic', models: ['oa', 'an'], valid: chatBody },
  { path: '/v1/messages/count_tokens', format: 'anthropic', models: ['oa', 'an'], valid: chatBody },
];

interface Hostile {
  name: string;
  body: Buffer;
  headers?: Record<string, string>;
  /** True when the body is refused whatever the upstream would say (the proxy sees it is bad). */
  refused: boolean;
}

const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const text = (s: string) => Buffer.from(s);

/**
 * More than 40 bodies an attacker would try, built around a valid one for the route.
 * Long on purpose: one flat list of cases, read top to bottom.
 */
function hostileBodies(route: Route, model: string): Hostile[] {
  const valid = route.valid(model);
  const validText = JSON.stringify(valid);
  const inner = validText.slice(1, -1);
  const list: Hostile[] = [];
  const add = (name: string, body: Buffer, refused: boolean, headers?: Record<string, string>) =>
    list.push({ name, body, refused, ...(headers === undefined ? {} : { headers }) });

  for (const depth of [1_001, 5_000, 50_000, 500_000]) {
    add(`array nesting ${depth}`, text(`{${inner},"x":${deepArray(depth)}}`), true);
    add(`object nesting ${depth}`, text(`{${inner},"metadata":${deepObject(depth)}}`), true);
  }
  add('nesting at the top', text(deepArray(10_000)), true);
  add(
    'deep tool schema',
    text(
      `{${inner},"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject(5_000)}}}]}`,
    ),
    true,
  );
  add(
    'deep message content',
    text(
      `{"model":"${model}","max_tokens":8,"messages":[{"role":"user","content":${deepArray(5_000)}}]}`,
    ),
    true,
  );
  add('duplicate model', text(`{${inner},"model":"other-model"}`), true);
  add('duplicate model, escaped', text(`{${inner},"mod\\u0065l":"other-model"}`), true);
  add('duplicate stream', text(`{${inner},"stream":false,"stream":true}`), true);
  const lastKey = Object.keys(valid).at(-1)!;
  add(`duplicate ${lastKey}`, text(`{${inner},${JSON.stringify(lastKey)}:[]}`), true);
  for (const wrong of [5, null, true, ['a'], { name: 'a' }, '']) {
    add(`model ${JSON.stringify(wrong)}`, json({ ...valid, model: wrong }), true);
  }
  for (const wrong of ['hi', 5, null, { role: 'user' }, [1], [null], [{ role: 5, content: {} }]]) {
    add(`messages ${JSON.stringify(wrong)}`, json({ ...valid, messages: wrong }), false);
  }
  add('max_tokens as text', json({ ...valid, max_tokens: 'many' }), false);
  add('huge number', text(`{${inner},"temperature":1e999999}`), false);
  add('stream as text', json({ ...valid, stream: 'yes' }), false);
  add('huge array', json({ ...valid, stop: Array.from({ length: 200_000 }, () => 'x') }), false);
  add('long model name', json({ ...valid, model: 'm'.repeat(1_000_000) }), false);
  add(
    'invalid UTF-8',
    Buffer.concat([text(`{${inner},"user":"`), Buffer.from([0xff, 0xfe, 0xc3]), text('"}')]),
    false,
  );
  add(
    'raw NUL in a string',
    Buffer.concat([text(`{${inner},"user":"a`), Buffer.from([0]), text('b"}')]),
    true,
  );
  add('NUL escape in the model', json({ ...valid, model: `${model}\u0000x` }), false);
  add('lone surrogate', text(`{${inner},"user":"\\ud800"}`), false);
  add(
    '__proto__ at the top',
    text(`{"__proto__":{"model":"other-model","polluted":1},${inner}}`),
    false,
  );
  add(
    'constructor.prototype',
    text(`{${inner},"constructor":{"prototype":{"polluted":1}}}`),
    false,
  );
  add(
    '__proto__ in a message',
    text(
      `{"model":"${model}","max_tokens":8,"messages":[{"role":"user","content":"hi","__proto__":{"role":"system"}}]}`,
    ),
    false,
  );
  add('gzip bomb', gzipSync(Buffer.alloc(50_000_000, '[')), true, { 'content-encoding': 'gzip' });
  add('gzip of a valid body', gzipSync(Buffer.from(validText)), true, {
    'content-encoding': 'gzip',
  });
  for (const cut of [1, 10, Math.floor(validText.length / 2), validText.length - 1]) {
    add(`truncated at ${cut}`, text(validText.slice(0, cut)), true);
  }
  add('empty', Buffer.alloc(0), true);
  for (const scalar of ['null', '[]', '"text"', '123', 'true'])
    add(`top-level ${scalar}`, text(scalar), true);
  add('trailing garbage', text(`${validText} xyz`), true);
  add('two objects', text(`${validText}${validText}`), true);
  add('not JSON', text('model=x&messages=y'), true);
  add('unterminated string', text(`{"model":"${model}`), true);
  return list;
}

function errorShape(format: 'openai' | 'anthropic', body: unknown): boolean {
  const b = body as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  if (typeof b?.error?.message !== 'string' || typeof b.error.type !== 'string') return false;
  return format === 'anthropic' ? b.type === 'error' : b.type === undefined;
}

let gateway: TestGateway;
let cloud: FakeCloud;
let url: string;

beforeAll(async () => {
  cloud = await FakeCloud.start();
  gateway = new TestGateway();
  const ok = cloud.url('ok');
  // `oa` has an upstream id that differs from its name (the body is rewritten), so every walk
  // of the body runs: the rewrite, the translation to and from Anthropic, count_tokens.
  await configureSections(
    gateway,
    `models:
  oa: { backend: openai-compatible, url: "${ok}", apiKey: "\${env:K}", upstreamModel: other-id, allowPrivateNetwork: true }
  an: { backend: anthropic, url: "${ok}", apiKey: "\${env:K}", allowPrivateNetwork: true }
`,
  );
  url = await startProxyWithEnv(gateway, { K: 'sk-hostile-test-key-0123456789' });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await cloud?.close();
});

function rssKiB(pid: number): number {
  const line = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0);
}

describe('hostile request bodies', () => {
  it.each(ROUTES.flatMap((route) => route.models.map((model) => ({ route, model }))))(
    "$route.path with model $model: every hostile body gets 4xx in the caller's format, never 5xx, and valid requests keep working",
    async ({ route, model }) => {
      const bodies = hostileBodies(route, model);
      expect(bodies.length).toBeGreaterThanOrEqual(40);
      const rssBefore = rssKiB(gateway.proxy!.pid);
      const failures: string[] = [];
      for (const [i, hostile] of bodies.entries()) {
        const res = await request(`${url}${route.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...hostile.headers },
          body: hostile.body,
        });
        const raw = await res.body.text();
        const status = res.statusCode;
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = undefined;
        }
        if (status >= 500) failures.push(`${hostile.name}: ${status} ${raw.slice(0, 200)}`);
        else if (hostile.refused && status < 400)
          failures.push(`${hostile.name}: accepted (${status})`);
        else if (status >= 400 && !errorShape(route.format, parsed)) {
          failures.push(
            `${hostile.name}: ${status} not in the ${route.format} format: ${raw.slice(0, 200)}`,
          );
        }
        if (i % 10 === 9) {
          const ok = await request(`${url}${route.path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(route.valid(model)),
          });
          await ok.body.text();
          if (ok.statusCode !== 200)
            failures.push(`valid request after ${hostile.name}: ${ok.statusCode}`);
        }
      }
      expect(failures).toEqual([]);
      // Nothing a hostile body did is kept: the proxy's memory stays within bounds.
      expect(rssKiB(gateway.proxy!.pid) - rssBefore).toBeLessThan(400 * 1024);
    },
    120_000,
  );
});
