import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import { openAIClientFormat } from '../api/client-format.js';
import type { ClientKeys } from '../auth/client-keys.js';
import type { AppEnv } from '../http/app-env.js';
import { ClientLimiter } from '../limits/client-limiter.js';
import type { ModelRouter } from '../routing/model-router.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { registerLimitUsageRoute } from './limit-usage-route.js';
import type { LimitUsageBody } from './limit-usage-route.js';

const stores: StateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const OPERATOR_KEY = 'op-key-0123456789abcdef';
const ci: ClientIdentity = { name: 'ci', limits: { rpm: 10 } };
const gpt = { name: 'gpt', limits: { concurrency: 3 } };

async function app(options: { operatorKey?: string; store?: StateStore } = {}) {
  const store = options.store ?? (await openStateStore({ keyPrefix: 'route:', whenDown: 'serve' }));
  stores.push(store);
  const limits = new ClientLimiter({
    state: () => Promise.resolve(store),
    whenDown: 'serve',
    logger: new RecordingLogger(),
  });
  const a = new Hono<AppEnv>();
  registerLimitUsageRoute(a, {
    limits,
    router: { models: [gpt, { name: 'free' }] } as unknown as ModelRouter,
    clientKeys: { identities: () => [ci, { name: 'open' }] } as unknown as ClientKeys,
    dashboard: { operatorKey: () => Promise.resolve(options.operatorKey) },
  });
  a.onError((err, c) =>
    c.json({ code: (err as GatewayError).code }, (err as GatewayError).status as 503),
  );
  const from = (remoteAddress: string) =>
    ({ incoming: { socket: { remoteAddress } }, outgoing: {} }) as unknown as AppEnv['Bindings'];
  return { a, from, limits };
}

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('GET /v1/gateway/limits', () => {
  it('reports every limited key and model with its usage, to a loopback caller', async () => {
    const { a, from, limits } = await app();
    await limits.admit(ci, 0, response(), openAIClientFormat, gpt);
    await limits.admit(ci, 0, response(), openAIClientFormat, gpt);
    const res = await a.request('/v1/gateway/limits', {}, from('127.0.0.1'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as LimitUsageBody;
    expect(body.object).toBe('gateway.limits');
    expect(body.store).toBe('embedded');
    expect(Date.parse(body.at)).toBeGreaterThan(0);
    expect(body.clients).toEqual([
      {
        name: 'ci',
        limits: { rpm: 10 },
        usage: { rpm: { used: 2, limit: 10, resetAt: expect.any(String) as string } },
      },
    ]);
    expect(body.models).toEqual([
      { name: 'gpt', limits: { concurrency: 3 }, usage: { concurrency: { used: 2, limit: 3 } } },
    ]);
  });

  it('answers 404 elsewhere, unless the operator key (never another key) comes with it', async () => {
    const { a, from } = await app({ operatorKey: OPERATOR_KEY });
    const remote = from('10.0.0.7');
    expect((await a.request('/v1/gateway/limits', {}, remote)).status).toBe(404);
    const wrong = { headers: { authorization: 'Bearer mgw-some-client-key' } };
    expect((await a.request('/v1/gateway/limits', wrong, remote)).status).toBe(404);
    const right = { headers: { authorization: `Bearer ${OPERATOR_KEY}` } };
    expect((await a.request('/v1/gateway/limits', right, remote)).status).toBe(200);
    const anthropicStyle = { headers: { 'x-api-key': OPERATOR_KEY } };
    expect((await a.request('/v1/gateway/limits', anthropicStyle, remote)).status).toBe(200);
    // Without an operator key configured, nothing opens it from elsewhere.
    const none = await app();
    expect((await none.a.request('/v1/gateway/limits', right, remote)).status).toBe(404);
  });

  it('answers 503 STATE_UNAVAILABLE when the shared store cannot be read', async () => {
    const inner = await openStateStore({ keyPrefix: 'route-down:', whenDown: 'serve' });
    stores.push(inner);
    const down: StateStore = Object.assign(Object.create(inner) as StateStore, {
      kind: 'redis' as const,
      health: () => 'ok' as const,
      counter: () => Promise.reject(new Error('Connection is closed.')),
    });
    const { a, from } = await app({ store: down });
    const res = await a.request('/v1/gateway/limits', {}, from('::1'));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ code: 'STATE_UNAVAILABLE' });
  });
});
