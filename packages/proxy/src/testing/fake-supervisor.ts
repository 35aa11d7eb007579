import type { ModelInfo } from '@mlx-gateway/protocol';
import type { EnsureOptions, LeaseClaim, ModelSupervisor } from '../supervisor/model-supervisor.js';

export interface EnsureCall {
  model: string;
  lease: LeaseClaim | undefined;
  options: EnsureOptions;
}

type EnsureBehaviour = (call: EnsureCall) => Promise<{ baseUrl: string }>;

/**
 * A supervisor for unit tests: a model directory the test fills, an `ensure` the test scripts,
 * and a record of every lease command.
 */
export class FakeSupervisor implements ModelSupervisor {
  readonly infos = new Map<string, ModelInfo>();
  readonly ensureCalls: EnsureCall[] = [];
  readonly acquired: Array<{ model: string; id: string }> = [];
  readonly released: string[] = [];
  readonly renewals: string[] = [];
  isReachable = true;
  private ensureBehaviour: EnsureBehaviour = () =>
    Promise.reject(new Error('FakeSupervisor: no ensure behaviour set'));
  private readonly releaseWaiters: Array<{ id: string; wake: () => void }> = [];

  /** Makes the directory say the model is ready at `baseUrl`. */
  setReady(name: string, baseUrl: string): void {
    const port = Number(new URL(baseUrl).port);
    this.infos.set(name, { name, state: 'ready', baseUrl, port, pid: 4242, since: 0, leases: 0 });
  }

  setStopped(name: string): void {
    this.infos.set(name, { name, state: 'stopped', since: 0, leases: 0 });
  }

  onEnsure(behaviour: EnsureBehaviour): void {
    this.ensureBehaviour = behaviour;
  }

  /**
   * Makes every `ensure` wait until the test answers: `ready` resolves the calls made so far
   * (and later ones at once) with `baseUrl`, `fail` rejects them with `err`.
   */
  ensureOnCue(): { ready(baseUrl: string): void; fail(err: Error): void } {
    let answer: ((call: EnsureCall) => Promise<{ baseUrl: string }>) | undefined;
    const waiting: Array<{
      resolve: (v: { baseUrl: string }) => void;
      reject: (e: Error) => void;
    }> = [];
    this.onEnsure((call) =>
      answer !== undefined
        ? answer(call)
        : new Promise((resolve, reject) => waiting.push({ resolve, reject })),
    );
    return {
      ready: (baseUrl) => {
        answer = () => Promise.resolve({ baseUrl });
        for (const w of waiting.splice(0)) w.resolve({ baseUrl });
      },
      fail: (err) => {
        answer = () => Promise.reject(err);
        for (const w of waiting.splice(0)) w.reject(err);
      },
    };
  }

  /** Resolves when the lease `id` has been released. */
  waitForRelease(id: string): Promise<void> {
    if (this.released.includes(id)) return Promise.resolve();
    return new Promise((wake) => this.releaseWaiters.push({ id, wake }));
  }

  /** Leases acquired (on the hot path or by ensure) and not released. */
  get heldLeases(): string[] {
    const taken = [
      ...this.acquired.map((a) => a.id),
      ...this.ensureCalls.flatMap((c) => (c.lease ? [c.lease.id] : [])),
    ];
    return taken.filter((id) => !this.released.includes(id));
  }

  /** Every `modelInfo` lookup, in order: a test can tell that a request reached the backend. */
  readonly infoAsks: string[] = [];

  modelInfo(name: string): ModelInfo | undefined {
    this.infoAsks.push(name);
    return this.infos.get(name);
  }

  ensure(
    model: string,
    lease: LeaseClaim | undefined,
    options: EnsureOptions,
  ): Promise<{ baseUrl: string }> {
    const call = { model, lease, options };
    this.ensureCalls.push(call);
    return this.ensureBehaviour(call);
  }

  acquireLease(model: string, lease: LeaseClaim): Promise<void> {
    this.acquired.push({ model, id: lease.id });
    return Promise.resolve();
  }

  releaseLease(id: string): Promise<void> {
    this.released.push(id);
    for (const waiter of this.releaseWaiters.filter((w) => w.id === id)) waiter.wake();
    return Promise.resolve();
  }

  renewLeases(holder: string): Promise<void> {
    this.renewals.push(holder);
    return Promise.resolve();
  }

  /** Every `wedged` report, in order. */
  readonly wedgedReports: Array<{ model: string; reason: string; pid: number | undefined }> = [];

  reportWedged(model: string, reason: string, pid: number | undefined): Promise<void> {
    this.wedgedReports.push({ model, reason, pid });
    return Promise.resolve();
  }

  reachable(): Promise<boolean> {
    return Promise.resolve(this.isReachable);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
