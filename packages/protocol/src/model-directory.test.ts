import * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorClient } from './control-client.js';
import { ControlServer } from './control-server.js';
import { EventPublisher } from './event-publisher.js';
import { ModelDirectory } from './model-directory.js';
import type { ModelDirectoryOptions } from './model-directory.js';
import { EVENT_TOPIC_MODEL, PROTOCOL_VERSION } from './messages.js';
import type { ModelInfo, ModelState, Snapshot, SupervisorEvent } from './messages.js';
import { SerialQueue } from './serial-queue.js';
import { deferred, modelInfo, nextEvent, SocketFixture, withDeadline } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

interface EventSource {
  readonly seq: number;
  readonly incarnation: string;
  publish(model: ModelInfo): unknown;
  close(): Promise<void>;
}

/** Publishes events by hand, so that a test can lose one or switch incarnation in place. */
class HandPublisher implements EventSource {
  seq = 0;
  private readonly socket = new zmq.Publisher({ linger: 0 });
  private readonly queue = new SerialQueue();

  constructor(
    readonly endpoint: string,
    public incarnation: string,
  ) {}

  async start(): Promise<void> {
    await this.socket.bind(this.endpoint);
  }

  publish(model: ModelInfo): SupervisorEvent {
    this.seq += 1;
    const event: SupervisorEvent = {
      v: PROTOCOL_VERSION,
      incarnation: this.incarnation,
      seq: this.seq,
      at: 1,
      type: 'model',
      model,
    };
    this.sendRaw(EVENT_TOPIC_MODEL, JSON.stringify(event));
    return event;
  }

  /** An event the subscriber never gets: the sequence moves on without it. */
  lose(): void {
    this.seq += 1;
  }

  sendRaw(...frames: string[]): void {
    void this.queue.run(() => this.socket.send(frames)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.socket.close();
  }
}

/** A supervisor's two sockets around a map of models. */
class FakeSupervisor {
  readonly models = new Map<string, ModelInfo>();
  statusCalls = 0;
  /** Runs once inside the next status handler, around building the snapshot. */
  race: { before(): void; after(): void } | undefined;
  readonly server: ControlServer;

  constructor(
    readonly events: EventSource,
    models: ModelInfo[] = [],
  ) {
    for (const model of models) this.models.set(model.name, model);
    this.server = new ControlServer({
      endpoint: fixture.endpoint('control'),
      handler: async (command) => {
        if (command.cmd !== 'status') throw new Error(`unexpected ${command.cmd}`);
        this.statusCalls += 1;
        const race = this.race;
        this.race = undefined;
        race?.before();
        const snapshot = this.snapshot();
        race?.after();
        return snapshot;
      },
    });
  }

  static async start(
    events: EventSource & { start(): Promise<void> },
    models: ModelInfo[] = [],
  ): Promise<FakeSupervisor> {
    const supervisor = fixture.track(new FakeSupervisor(events, models));
    await events.start();
    await supervisor.server.start();
    return supervisor;
  }

  set(name: string, state: ModelState, extra: Partial<ModelInfo> = {}): ModelInfo {
    const info = modelInfo(name, state, extra);
    this.models.set(name, info);
    this.events.publish(info);
    return info;
  }

  snapshot(): Snapshot {
    return {
      incarnation: this.events.incarnation,
      seq: this.events.seq,
      models: [...this.models.values()],
    };
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.events.close();
  }
}

const eventsEndpoint = (): string => fixture.endpoint('events');

function eventPublisher(incarnation: string): EventPublisher {
  return new EventPublisher({ endpoint: eventsEndpoint(), incarnation });
}

function directory(options: Partial<ModelDirectoryOptions> = {}): ModelDirectory {
  const client = fixture.track(
    new SupervisorClient({ endpoint: fixture.endpoint('control'), timeoutMs: 1000 }),
  );
  return fixture.track(
    new ModelDirectory({
      eventsEndpoint: eventsEndpoint(),
      client,
      resyncIntervalMs: 0,
      retry: { minMs: 20, maxMs: 100 },
      ...options,
    }),
  );
}

/** Starts and waits for the second snapshot, taken once the event connection is up. */
async function startConnected(models: ModelDirectory): Promise<void> {
  const connected = nextEvent(models, 'resync', (_: Snapshot, reason: string) =>
    reason.includes('connection'),
  );
  await withDeadline(models.start(), 3000, 'the first snapshot');
  await connected;
}

/** The states each 'change' reported for one model. */
function statesOf(models: ModelDirectory, name: string): ModelState[] {
  const states: ModelState[] = [];
  models.on('change', (info) => {
    if (info.name === name) states.push(info.state);
  });
  return states;
}

const isReady = (info: ModelInfo): boolean => info.state === 'ready';

describe('ModelDirectory', () => {
  it('mirrors the snapshot, then applies the events that follow', async () => {
    const supervisor = await FakeSupervisor.start(eventPublisher('inc-a'), [
      modelInfo('qwen', 'stopped'),
      modelInfo('llama', 'ready', { port: 10240 }),
    ]);
    const models = directory();
    const qwen = statesOf(models, 'qwen');
    await startConnected(models);
    expect(models.incarnation).toBe('inc-a');
    expect(models.get('llama')).toMatchObject({ state: 'ready', port: 10240 });
    expect(
      models
        .all()
        .map((m) => m.name)
        .sort(),
    ).toEqual(['llama', 'qwen']);

    supervisor.set('qwen', 'starting');
    supervisor.set('qwen', 'ready', { port: 10241 });
    const ready = await models.waitFor('qwen', isReady, { timeoutMs: 3000 });
    expect(ready.port).toBe(10241);
    expect(qwen).toEqual(['stopped', 'starting', 'ready']);
    expect(models.seq).toBe(2);
  });

  it('applies events that raced a snapshot once, and loses none of them', async () => {
    const supervisor = await FakeSupervisor.start(eventPublisher('inc-a'), [
      modelInfo('qwen', 'stopped'),
    ]);
    const models = directory();
    await startConnected(models);
    const qwen = statesOf(models, 'qwen');
    const calls = supervisor.statusCalls;
    // Published while the snapshot is taken: one event it contains, one it does not.
    supervisor.race = {
      before: () => supervisor.set('qwen', 'starting'),
      after: () => supervisor.set('qwen', 'ready'),
    };
    await withDeadline(models.refresh(), 3000, 'the refreshed snapshot');
    await models.waitFor('qwen', isReady, { timeoutMs: 3000 });
    expect(qwen).toEqual(['starting', 'ready']);
    expect(models.seq).toBe(supervisor.events.seq);
    expect(supervisor.statusCalls).toBe(calls + 1);
  });

  it('takes a fresh snapshot when it sees a gap in the sequence', async () => {
    const events = new HandPublisher(eventsEndpoint(), 'inc-a');
    const supervisor = await FakeSupervisor.start(events, [modelInfo('qwen', 'stopped')]);
    const models = directory();
    await startConnected(models);

    supervisor.models.set('qwen', modelInfo('qwen', 'starting'));
    events.lose();
    const resynced = nextEvent<[Snapshot, string]>(models, 'resync');
    supervisor.set('qwen', 'ready');
    const [snapshot, reason] = await resynced;
    expect(reason).toMatch(/missed events 1 to 1/);
    expect(snapshot.seq).toBe(2);
    expect(models.get('qwen')?.state).toBe('ready');
    expect(models.seq).toBe(2);
  });

  it('takes a fresh snapshot when an event comes from another incarnation', async () => {
    const events = new HandPublisher(eventsEndpoint(), 'inc-a');
    const supervisor = await FakeSupervisor.start(events, [modelInfo('qwen', 'ready')]);
    const models = directory();
    await startConnected(models);
    events.publish(modelInfo('qwen', 'ready', { leases: 1 }));
    await models.waitFor('qwen', (info) => info.leases === 1, { timeoutMs: 3000 });

    // Same socket, new incarnation: only the event tells the directory.
    events.incarnation = 'inc-b';
    events.seq = 0;
    supervisor.models.clear();
    const resynced = nextEvent<[Snapshot, string]>(models, 'resync');
    supervisor.set('mistral', 'starting');
    const [snapshot, reason] = await resynced;
    expect(reason).toMatch(/incarnation inc-b/);
    expect(snapshot.incarnation).toBe('inc-b');
    expect(models.incarnation).toBe('inc-b');
    expect(models.get('qwen')).toBeUndefined();
    expect(models.get('mistral')?.state).toBe('starting');
  });

  it('follows a restarted supervisor: new publisher, another incarnation, same endpoints', async () => {
    const first = await FakeSupervisor.start(eventPublisher('inc-a'), [modelInfo('qwen', 'ready')]);
    const models = directory();
    const removed: string[] = [];
    models.on('remove', (name) => removed.push(name));
    await startConnected(models);
    expect(models.get('qwen')?.state).toBe('ready');

    await first.close();
    const resynced = nextEvent(
      models,
      'resync',
      (snapshot: Snapshot) => snapshot.incarnation === 'inc-b',
    );
    const second = await FakeSupervisor.start(eventPublisher('inc-b'), [
      modelInfo('llama', 'stopped'),
    ]);
    second.set('llama', 'starting');
    await resynced;
    await models.waitFor('llama', (info) => info.state === 'starting', { timeoutMs: 3000 });
    expect(models.incarnation).toBe('inc-b');
    expect(models.get('qwen')).toBeUndefined();
    expect(removed).toEqual(['qwen']);
  });

  it('keeps retrying while the supervisor is down and starts once it is up', async () => {
    const firstFailure = deferred();
    const models = directory({ onWarning: () => firstFailure.resolve(), snapshotTimeoutMs: 200 });
    const started = models.start();
    await withDeadline(firstFailure.promise, 3000, 'a failed snapshot attempt');
    expect(models.synced).toBe(false);
    await FakeSupervisor.start(eventPublisher('inc-a'), [modelInfo('qwen', 'ready')]);
    await withDeadline(started, 5000, 'start() once the supervisor is up');
    expect(models.get('qwen')?.state).toBe('ready');
  });

  it('rejects start() after startTimeoutMs and goes on retrying in the background', async () => {
    const models = directory({ startTimeoutMs: 300, snapshotTimeoutMs: 100 });
    await expect(models.start()).rejects.toMatchObject({ code: 'SUPERVISOR_UNAVAILABLE' });
    const synced = nextEvent(models, 'resync', () => true, 5000);
    await FakeSupervisor.start(eventPublisher('inc-a'), [modelInfo('qwen', 'stopped')]);
    await synced;
    expect(models.get('qwen')?.state).toBe('stopped');
  });

  it('waitFor resolves at once, times out, or rejects on close', async () => {
    await FakeSupervisor.start(eventPublisher('inc-a'), [modelInfo('qwen', 'ready')]);
    const models = directory();
    await models.start();
    await expect(models.waitFor('qwen', isReady, { timeoutMs: 1 })).resolves.toMatchObject({
      name: 'qwen',
    });
    await expect(
      models.waitFor('qwen', (info) => info.state === 'failed', { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'SUPERVISOR_TIMEOUT',
      details: { model: 'qwen', state: 'ready' },
    });
    const pending = models.waitFor('nope', isReady, { timeoutMs: 60_000 });
    models.close();
    await expect(pending).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('close() rejects a start() still waiting for its first snapshot', async () => {
    const models = directory();
    const started = models.start();
    models.close();
    await expect(started).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('ignores malformed events and survives a listener that throws', async () => {
    const events = new HandPublisher(eventsEndpoint(), 'inc-a');
    const supervisor = await FakeSupervisor.start(events, [modelInfo('qwen', 'stopped')]);
    const warnings: string[] = [];
    const models = directory({ onWarning: (message) => warnings.push(message) });
    await startConnected(models);
    models.on('change', () => {
      throw new Error('listener bug');
    });
    events.sendRaw(EVENT_TOPIC_MODEL, '{broken');
    events.sendRaw(EVENT_TOPIC_MODEL, JSON.stringify({ v: PROTOCOL_VERSION, seq: 'x' }));
    supervisor.set('qwen', 'ready');
    await models.waitFor('qwen', isReady, { timeoutMs: 3000 });
    expect(warnings).toEqual([
      'ignored a malformed supervisor event',
      'ignored a malformed supervisor event',
      "a 'change' listener of the model directory threw",
    ]);
  });
});
