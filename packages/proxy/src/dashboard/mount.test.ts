import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../http/app-env.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { mountDashboard } from './mount.js';

/** Counts loads of the dashboard's code (the module mount.ts imports on first use). */
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('./dashboard-app.js', () => {
  loads.count += 1;
  return {
    createDashboard: () => () => Promise.resolve(new Response('dashboard')),
  };
});

describe('the dashboard mount', () => {
  it('loads the dashboard code on the first request under /dashboard, once', async () => {
    const app = new Hono<AppEnv>();
    mountDashboard(app, {} as DashboardDeps);
    app.get('/health', (c) => c.text('ok'));
    expect(await (await app.request('/health')).text()).toBe('ok');
    expect(loads.count).toBe(0);
    expect(await (await app.request('/dashboard/models')).text()).toBe('dashboard');
    expect(await (await app.request('/dashboard')).text()).toBe('dashboard');
    expect(loads.count).toBe(1);
  });
});
