import * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSubscriber } from './config-subscriber.js';
import { EventPublisher } from './event-publisher.js';
import type { ConfigEvent } from './messages.js';
import { PROTOCOL_VERSION } from './messages.js';
import { modelInfo, SocketFixture, withDeadline } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

/** A subscriber whose config events and warnings are recorded, with a wait for the next event. */
function recordingSubscriber(endpoint: string) {
  const events: ConfigEvent[] = [];
  const warnings: string[] = [];
  let wake: (() => void) | undefined;
  const subscriber = new ConfigSubscriber({
    eventsEndpoint: endpoint,
    onConfig: (event) => {
      events.push(event);
      wake?.();
    },
    onWarning: (message) => warnings.push(message),
  });
  subscriber.start();
  /** Resolves at the next event, or after `ms` without one. */
  const next = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return { subscriber, events, warnings, next };
}

/** A subscription reaches the publisher some time after connect: send until one event lands. */
async function warmUp(send: () => void, rec: ReturnType<typeof recordingSubscriber>) {
  await withDeadline(
    (async () => {
      while (rec.events.length === 0) {
        send();
        await rec.next(200);
      }
    })(),
    3000,
    'the subscription to reach the publisher',
  );
}

describe('ConfigSubscriber', () => {
  it('receives config events only, and they do not use up a model event seq', async () => {
    const publisher = fixture.track(
      new EventPublisher({
        endpoint: fixture.endpoint('events'),
        incarnation: 'inc',
        now: () => 7,
      }),
    );
    await publisher.start();
    const rec = recordingSubscriber(publisher.endpoint);
    try {
      await warmUp(() => publisher.publishConfig(1, '/tmp/config.yaml'), rec);
      expect(publisher.seq).toBe(0);
      const before = rec.events.length;
      publisher.publish(modelInfo('qwen', 'ready'));
      const returned = publisher.publishConfig(2, '/tmp/config.yaml');
      while (rec.events.length === before) await rec.next(1_000);
      expect(rec.events.slice(before)).toEqual([returned]);
      expect(returned).toEqual({
        v: PROTOCOL_VERSION,
        incarnation: 'inc',
        at: 7,
        type: 'config',
        generation: 2,
        file: '/tmp/config.yaml',
      });
      expect(publisher.seq).toBe(1);
      expect(rec.warnings).toEqual([]);
    } finally {
      rec.subscriber.close();
    }
  });

  it('ignores malformed frames and events of another shape with a warning, never throwing', async () => {
    const endpoint = fixture.endpoint('raw');
    const raw = fixture.track(new zmq.Publisher({ linger: 0 }));
    await raw.bind(endpoint);
    const rec = recordingSubscriber(endpoint);
    const valid = (generation: number) =>
      JSON.stringify({ v: PROTOCOL_VERSION, incarnation: 'i', at: 1, type: 'config', generation });
    try {
      await warmUp(() => void raw.send(['config', valid(1)]), rec);
      const before = rec.events.length;
      await raw.send(['config', 'not json']);
      await raw.send(['config', JSON.stringify({ type: 'reticulate', generation: 'x' })]);
      await raw.send(['config', JSON.stringify({ ...JSON.parse(valid(3)), v: 99 })]);
      await raw.send(['config', valid(4)]);
      while (rec.events.length === before) await rec.next(1_000);
      expect(rec.events.slice(before).map((e) => e.generation)).toEqual([4]);
      expect(rec.warnings).toEqual([
        'ignored a malformed config event',
        'ignored a malformed config event',
        'ignored a config event of another protocol version',
      ]);
    } finally {
      rec.subscriber.close();
    }
  });
});
