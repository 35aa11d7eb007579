import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventPublisher, Owner } from '@mlx-gateway/protocol';
import {
  compileConfig,
  ConfigError,
  parseConfigYaml,
  type GatewayConfig,
  type LocalModelConfig,
} from '@mlx-gateway/shared/config';
import { describe, expect, it } from 'vitest';
import { ModelController, type ControllerHost } from '../lifecycle/model-controller.js';
import { DEFAULT_PROBE, type LifecycleSettings } from '../lifecycle/model-state.js';
import type { ExitInfo } from '../process/spawn-model.js';
import { TaskRegistry } from '../tasks/task-registry.js';
import { ManualClock } from '../testing/manual-clock.js';
import { ConfigReloader } from './reload-config.js';
import { supervisorReloadHost } from './reload-host.js';

const home = mkdtempSync(join(tmpdir(), 'reload-test-'));

/** A config with stand-in-like local models: `name: tokens` (their env, a launch setting). */
function config(models: Record<string, string>, extra = ''): GatewayConfig {
  const entries = Object.entries(models)
    .map(
      ([name, env]) =>
        `  ${name}: { backend: mlx-openai-server, command: [/bin/true], modelPath: test/${name}, env: { TOKENS: "${env}" } }`,
    )
    .join('\n');
  return compileConfig(parseConfigYaml(`${extra}\nmodels:\n${entries}\n`, 'config.yaml'), {
    home,
    file: 'config.yaml',
  });
}

const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * A supervisor in miniature over real controllers: processes are fake (spawn answers at once,
 * health is fine, SIGTERM ends the group), time is a manual clock.
 */
class Harness {
  readonly clock = new ManualClock(1_000);
  readonly tasks = new TaskRegistry(this.clock);
  readonly controllers = new Map<string, ModelController>();
  readonly retiring = new Map<string, ModelController>();
  readonly spawns: Array<{ model: string; env: string; pid: number }> = [];
  readonly signals: Array<[number, NodeJS.Signals]> = [];
  readonly configEvents: number[] = [];
  readonly published: string[] = [];
  private readonly alive = new Map<number, (exit: ExitInfo) => void>();
  private nextPid = 100;
  next: GatewayConfig | Error;
  readonly reloader: ConfigReloader;

  constructor(public current: GatewayConfig) {
    this.next = current;
    const host = this.controllerHost();
    for (const m of current.models) {
      if (m.kind === 'local') this.controllers.set(m.name, this.newController(m, host));
    }
    this.reloader = new ConfigReloader(
      supervisorReloadHost({
        config: () => this.current,
        setConfig: (c) => (this.current = c),
        readConfig: () => {
          if (this.next instanceof Error) throw this.next;
          return this.next;
        },
        parts: { controllers: this.controllers, retiring: this.retiring, logs: new Map() },
        logsDir: home,
        capacityLimits: { maxLoadedModels: 4, waitMs: 1_000 },
        lifecycleSettings: (m) => this.settings(m),
        controllerHost: host,
        events: {
          publish: (info: { name: string }) => this.published.push(info.name),
          publishConfig: (generation: number) => this.configEvents.push(generation),
        } as unknown as EventPublisher,
        stopRun: (c, reason) => {
          const run = c.status.run;
          c.dispatch({ type: 'stop', reason, drain: true });
          return c.until((s) => s.run !== run || s.phase === 'stopped' || s.phase === 'failed');
        },
        ensureReady: (c, owner: Owner) => c.ensure(owner),
        refuseWhenShuttingDown: () => undefined,
        log: () => undefined,
      }),
    );
  }

  settings(m: LocalModelConfig): LifecycleSettings {
    const sv = this.current.supervisor;
    return {
      startTimeoutMs: m.startTimeoutMs,
      idleTimeoutMs: m.idleTimeoutMs,
      stopGraceMs: sv.stopGraceMs,
      drainTimeoutMs: sv.drainTimeoutMs,
      healthIntervalMs: sv.healthIntervalMs,
      failureBackoff: sv.failureBackoff,
      ...DEFAULT_PROBE,
    };
  }

  private newController(m: LocalModelConfig, host: ControllerHost): ModelController {
    return new ModelController(m, this.settings(m), host);
  }

  private controllerHost(): ControllerHost {
    return {
      tasks: this.tasks,
      requestCapacity: (c) => queueMicrotask(() => c.dispatch({ type: 'capacityGranted' })),
      releaseCapacity: () => undefined,
      spawn: (c) => {
        const pid = this.nextPid++;
        this.spawns.push({ model: c.name, env: c.config.env['TOKENS'] ?? '', pid });
        const exited = new Promise<ExitInfo>((resolve) => this.alive.set(pid, resolve));
        return Promise.resolve({ pid, port: 10_000 + pid, exited });
      },
      forget: () => undefined,
      probe: () => Promise.resolve({ ok: true, listening: true }),
      signalGroup: (pid, signal) => {
        this.signals.push([pid, signal]);
        this.alive.get(pid)?.({ code: null, signal });
        this.alive.delete(pid);
      },
      groupAlive: (pid) => this.alive.has(pid),
      processAlive: (pid) => this.alive.has(pid),
      logTail: () => [],
      publish: () => undefined,
    };
  }

  /** Lets promises and due timers run, `ms` of manual time in 5 ms steps. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 5) {
      await settle();
      this.clock.advance(5);
    }
    await settle();
  }

  async ready(name: string): Promise<number> {
    const c = this.controllers.get(name)!;
    const done = c.ensure('gateway');
    await this.run(50);
    await done;
    return c.status.pid!;
  }
}

describe('config reload', () => {
  it('a dry run reports the difference and changes nothing', async () => {
    const h = new Harness(config({ a: '1', b: '1' }));
    h.next = config({ a: '1', b: '2', c: '1' }, 'supervisor: { maxLoadedModels: 3 }');
    const report = await h.reloader.reload(true);
    expect(report).toMatchObject({
      dryRun: true,
      generation: 1,
      changed: true,
      models: { added: ['c'], removed: [], restarted: ['b'], updated: [], unchanged: ['a'] },
      applied: [{ path: 'supervisor.maxLoadedModels' }],
    });
    expect([...h.controllers.keys()]).toEqual(['a', 'b']);
    expect(h.controllers.get('b')!.config.env['TOKENS']).toBe('1');
    expect(h.configEvents).toEqual([]);
  });

  it('restarts a changed model once, after its requests drained; the others keep their process', async () => {
    const h = new Harness(config({ a: '1', b: '1' }));
    const pidA = await h.ready('a');
    const pidB = await h.ready('b');
    const b = h.controllers.get('b')!;
    b.dispatch({ type: 'leases', count: 1 });

    h.next = config({ a: '1', b: '2' });
    const reloading = h.reloader.reload(false);
    await h.run(1_000);
    // Draining: the proxies already follow, the process is not signalled while a lease is held.
    expect(h.configEvents).toEqual([2]);
    expect(b.status.phase).toBe('stopping');
    expect(h.signals).toEqual([]);

    b.dispatch({ type: 'leases', count: 0 });
    await h.run(200);
    const report = await reloading;
    expect(report.restarts).toEqual([
      { model: 'b', outcome: 'restarted', previousPid: pidB, pid: b.status.pid },
    ]);
    expect(h.signals).toEqual([[pidB, 'SIGTERM']]);
    expect(h.spawns.filter((s) => s.model === 'b').map((s) => s.env)).toEqual(['1', '2']);
    expect(h.spawns.filter((s) => s.model === 'a')).toHaveLength(1);
    expect(h.controllers.get('a')!.status).toMatchObject({ phase: 'ready', pid: pidA });
    expect(b.status.phase).toBe('ready');
    expect(report.generation).toBe(2);
  });

  it('a model still starting finishes its start for the requests waiting, then restarts', async () => {
    const h = new Harness(config({ a: '1' }));
    const a = h.controllers.get('a')!;
    const waiting = a.ensure('gateway');
    await settle();
    expect(a.status.phase).toBe('starting');
    h.next = config({ a: '2' });
    const reloading = h.reloader.reload(false);
    await h.run(200);
    await expect(waiting).resolves.toBeUndefined();
    const report = await reloading;
    expect(report.restarts).toMatchObject([{ model: 'a', outcome: 'restarted' }]);
    expect(h.spawns.map((s) => s.env)).toEqual(['1', '2']);
  });

  it('a stopped model takes the new settings without a start; settings change in place', async () => {
    const h = new Harness(config({ a: '1' }));
    h.next = config({ a: '2' }, 'supervisor: { drainTimeout: 5s }');
    const report = await h.reloader.reload(false);
    expect(report.restarts).toEqual([{ model: 'a', outcome: 'took new settings' }]);
    expect(h.spawns).toEqual([]);
    expect(h.controllers.get('a')!.config.env['TOKENS']).toBe('2');
    expect(h.current.supervisor.drainTimeoutMs).toBe(5_000);
  });

  it('adds and removes models: a removed one is stopped after draining, then forgotten', async () => {
    const h = new Harness(config({ a: '1', b: '1' }));
    const pidB = await h.ready('b');
    const b = h.controllers.get('b')!;
    b.dispatch({ type: 'leases', count: 2 });
    h.next = config({ a: '1', c: '1' });
    const reloading = h.reloader.reload(false);
    await h.run(100);
    expect([...h.controllers.keys()]).toEqual(['a', 'c']);
    expect(h.published).toEqual(['c']);
    expect(h.retiring.get('b')).toBe(b);
    expect(h.signals).toEqual([]);
    b.dispatch({ type: 'leases', count: 0 });
    await h.run(100);
    const report = await reloading;
    expect(report.models).toMatchObject({ added: ['c'], removed: ['b'], unchanged: ['a'] });
    expect(h.signals).toEqual([[pidB, 'SIGTERM']]);
    expect(h.retiring.size).toBe(0);
  });

  it('an invalid file changes nothing and names each problem with its key path', async () => {
    const h = new Harness(config({ a: '1' }));
    const before = h.current;
    h.next = new ConfigError('config.yaml', [
      { path: 'models.a.idleTimeout', message: 'expected a duration', got: '300' },
    ]);
    const err = await h.reloader.reload(false).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CONFIG_INVALID',
      details: { file: 'config.yaml', problems: [{ path: 'models.a.idleTimeout' }] },
    });
    expect((err as Error).message).toContain('models.a.idleTimeout');
    expect(h.current).toBe(before);
    expect(h.configEvents).toEqual([]);
    expect(h.reloader.generation).toBe(1);
  });

  it('an unchanged file is not a new generation', async () => {
    const h = new Harness(config({ a: '1' }));
    h.next = config({ a: '1' });
    const report = await h.reloader.reload(false);
    expect(report).toMatchObject({ changed: false, generation: 1 });
    expect(h.configEvents).toEqual([]);
  });
});
