import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { systemClock } from '@mlx-gateway/shared/clock';
import { Inflight } from '../forwarding/inflight.js';
import type { AppEnv } from '../http/app-env.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { gatewayConfig, localModel } from '../testing/test-config.js';
import { SESSION_COOKIE } from './access.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { mountDashboard } from './mount.js';
import { reloadReport } from '../testing/reload-report.js';

/**
 * The dashboard's access rules through its real routes (Hono's `request` with Node bindings
 * whose socket says where the caller is): loopback, elsewhere with and without the operator
 * key, a client key refused, and the CSRF checks on actions.
 */

const OPERATOR_KEY = 'op-key-for-the-dashboard-tests-0123456789';
const CLIENT_KEY = 'mgw-a-client-key-that-must-not-open-it';
const HOST = 'gateway.lan:8080';
const ORIGIN = `http://${HOST}`;

function dashboard(operatorKey: string | undefined, applied: string[] = []) {
  const supervisor = new FakeSupervisor();
  supervisor.setStopped('qwen');
  const deps: DashboardDeps = {
    config: gatewayConfig([localModel('qwen')]),
    supervisor,
    inflight: new Inflight(),
    clock: systemClock,
    operatorKey: () => Promise.resolve(operatorKey),
    isClientKey: (key) => key === CLIENT_KEY,
    sendReload: () => Promise.resolve(reloadReport()),
    applier: {
      applyConfig: (text) => {
        applied.push(text);
        return Promise.resolve({ ok: true, messages: ['applied'] });
      },
    },
  };
  const app = new Hono<AppEnv>();
  mountDashboard(app, deps);
  return (path: string, from: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('host')) headers.set('host', from === '127.0.0.1' ? '127.0.0.1:8080' : HOST);
    const env = { incoming: { socket: { remoteAddress: from } }, outgoing: {} };
    return app.request(`http://${headers.get('host')}${path}`, { ...init, headers }, env);
  };
}

function sessionOf(res: Response): string {
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

async function csrfOf(res: Response): Promise<string> {
  return /name="csrf-token" content="([^"]+)"/.exec(await res.text())?.[1] ?? '';
}

function loginForm(key: string, origin = ORIGIN): RequestInit {
  return {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }).toString(),
  };
}

describe('dashboard access over HTTP', () => {
  it('serves loopback callers and refuses another Host on loopback', async () => {
    const get = dashboard(undefined);
    const res = await get('/dashboard/models', '127.0.0.1');
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toContain(`${SESSION_COOKIE}=`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('data-model="qwen"');
    const rebound = await get('/dashboard/models', '127.0.0.1', {
      headers: { host: 'attacker.example:8080' },
    });
    expect(rebound.status).toBe(403);
  });

  it('is a 404 from elsewhere when no operator key is configured', async () => {
    const get = dashboard(undefined);
    expect((await get('/dashboard/models', '192.168.1.20')).status).toBe(404);
    expect((await get('/dashboard/assets/htmx.min.js', '192.168.1.20')).status).toBe(404);
    expect((await get('/dashboard/login', '192.168.1.20', loginForm(OPERATOR_KEY))).status).toBe(
      404,
    );
  });

  it('asks for the operator key from elsewhere, and a client key never opens it', async () => {
    const get = dashboard(OPERATOR_KEY);
    const first = await get('/dashboard/models', '192.168.1.20');
    expect(first.status).toBe(401);
    expect(await first.text()).toContain('operator key');
    const byClient = await get('/dashboard/login', '192.168.1.20', loginForm(CLIENT_KEY));
    expect(byClient.status).toBe(401);
    expect(await byClient.text()).toContain('client key never opens');
    expect(sessionOf(byClient)).toBe('');
    const wrong = await get('/dashboard/login', '192.168.1.20', loginForm('not-the-key'));
    expect(wrong.status).toBe(401);
    const crossSite = await get(
      '/dashboard/login',
      '192.168.1.20',
      loginForm(OPERATOR_KEY, 'http://evil.example'),
    );
    expect(crossSite.status).toBe(403);

    const login = await get('/dashboard/login', '192.168.1.20', loginForm(OPERATOR_KEY));
    expect(login.status).toBe(303);
    const cookie = sessionOf(login);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=.{20,}`));
    const page = await get('/dashboard/config', '192.168.1.20', { headers: { cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).not.toContain(OPERATOR_KEY);
    expect(text).not.toContain(CLIENT_KEY);
  });

  it('needs the session CSRF token and the same origin on every action', async () => {
    const applied: string[] = [];
    const get = dashboard(undefined, applied);
    const page = await get('/dashboard/config', '127.0.0.1');
    const cookie = sessionOf(page);
    const token = await csrfOf(page);
    const origin = 'http://127.0.0.1:8080';
    const apply = (headers: Record<string, string>) =>
      get('/dashboard/config/apply', '127.0.0.1', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'text=listen%3A%20127.0.0.1%3A9000%0A',
      });
    expect((await apply({ cookie, origin })).status).toBe(403);
    expect(
      (await apply({ cookie, origin: 'http://evil.example', 'x-csrf-token': token })).status,
    ).toBe(403);
    expect(
      (await apply({ cookie, 'sec-fetch-site': 'cross-site', 'x-csrf-token': token })).status,
    ).toBe(403);
    expect((await apply({ origin, 'x-csrf-token': token })).status).toBe(403);
    expect(applied).toEqual([]);
    const ok = await apply({ cookie, origin, 'x-csrf-token': token });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('applied');
    expect(applied).toEqual(['listen: 127.0.0.1:9000\n']);
  });
});
