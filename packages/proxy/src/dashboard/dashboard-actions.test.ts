import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Command, CommandName, CommandResults, ModelInfo } from '@mlx-gateway/protocol';
import { systemClock } from '@mlx-gateway/shared/clock';
import { Inflight } from '../forwarding/inflight.js';
import type { AppEnv } from '../http/app-env.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { gatewayConfig, localModel } from '../testing/test-config.js';
import { mountDashboard } from './mount.js';
import { reloadReport } from '../testing/reload-report.js';

/** A supervisor whose control commands are recorded (and fail on demand). */
class ControlledSupervisor extends FakeSupervisor {
  readonly commands: Command[] = [];
  failWith: string | undefined;

  command<C extends CommandName>(body: Extract<Command, { cmd: C }>): Promise<CommandResults[C]> {
    this.commands.push(body);
    if (this.failWith !== undefined) return Promise.reject(new Error(this.failWith));
    const model = (body as { model?: string }).model ?? '';
    if (body.cmd === 'logs') {
      return Promise.resolve({
        model,
        lines: ['\u001b[32mloading <weights>\u001b[0m'],
      } as CommandResults[C]);
    }
    return Promise.resolve(this.infos.get(model) as CommandResults[C]);
  }
}

const ORIGIN = 'http://127.0.0.1:8080';

async function dashboard() {
  const supervisor = new ControlledSupervisor();
  supervisor.setStopped('qwen');
  const app = new Hono<AppEnv>();
  mountDashboard(app, {
    config: gatewayConfig([localModel('qwen', { idleTimeoutMs: 60_000 })]),
    supervisor,
    inflight: new Inflight(),
    clock: systemClock,
    operatorKey: () => Promise.resolve(undefined),
    sendReload: () => Promise.resolve(reloadReport()),
  });
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } }, outgoing: {} };
  const call = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('host', '127.0.0.1:8080');
    return app.request(`${ORIGIN}${path}`, { ...init, headers }, env);
  };
  const page = await call('/dashboard/models');
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const token = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const post = (path: string) =>
    call(path, { method: 'POST', headers: { cookie, origin: ORIGIN, 'x-csrf-token': token } });
  return { supervisor, call, post };
}

describe('dashboard model actions', () => {
  it('sends the control command of each button for a configured model only', async () => {
    const { supervisor, post } = await dashboard();
    for (const action of ['stop', 'promote', 'clear', 'start'] as const) {
      expect((await post(`/dashboard/models/qwen/${action}`)).status).toBe(200);
    }
    expect(supervisor.commands.map((c) => c.cmd)).toEqual(['stop', 'promote', 'clear', 'start']);
    expect(supervisor.commands.every((c) => (c as { model?: string }).model === 'qwen')).toBe(true);
    expect((await post('/dashboard/models/other/stop')).status).toBe(404);
    expect((await post('/dashboard/models/qwen/shutdown')).status).toBe(404);
    expect(supervisor.commands).toHaveLength(4);
  });

  it('shows a failed action under the model, scrubbed', async () => {
    const { supervisor, post } = await dashboard();
    supervisor.failWith = 'no such thing; Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz0123';
    const res = await post('/dashboard/models/qwen/stop');
    const html = await res.text();
    expect(html).toContain('stop failed: no such thing');
    expect(html).not.toContain('sk-abcdefghijklmnopqrstuvwxyz0123');
  });

  it('shows a loading model with its elapsed time and its log tail, escaped', async () => {
    const { supervisor, call } = await dashboard();
    const starting: ModelInfo = {
      name: 'qwen',
      state: 'starting',
      since: Date.now() - 5_000,
      startedAt: Date.now() - 5_000,
      leases: 1,
      owner: 'gateway',
      pid: 7,
      port: 10301,
    };
    supervisor.infos.set('qwen', starting);
    const html = await (await call('/dashboard/models/table')).text();
    expect(html).toContain(`data-since="${starting.startedAt}"`);
    expect(html).toContain('data-starting');
    expect(html).toContain('<span class="ansi-green-fg">loading &lt;weights&gt;</span>');
    expect(supervisor.commands).toEqual([{ cmd: 'logs', model: 'qwen', lines: 12 }]);
  });

  it('counts down the idle stop of a ready idle gateway model and sums the memory', async () => {
    const { supervisor, call } = await dashboard();
    const lastUsed = Date.now() - 10_000;
    supervisor.infos.set('qwen', {
      name: 'qwen',
      state: 'ready',
      since: lastUsed,
      readyAt: lastUsed,
      startedAt: lastUsed - 2_500,
      lastUsed,
      leases: 0,
      owner: 'gateway',
      memoryBytes: 3 * 1024 ** 3,
    });
    const html = await (await call('/dashboard/models/table')).text();
    expect(html).toContain(`data-until="${lastUsed + 60_000}"`);
    expect(html).toContain('data-memory-total="3221225472"');
    expect(html).toContain('3.0 GiB');
    expect(html).toContain('2.50 s at');
  });
});
