import * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventPublisher } from './event-publisher.js';
import { EVENT_TOPIC_MODEL, EventSchema, PROTOCOL_VERSION } from './messages.js';
import type { SupervisorEvent } from './messages.js';
import { modelInfo, SocketFixture, withDeadline } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

async function receiveEvent(subscriber: zmq.Subscriber): Promise<[string, SupervisorEvent]> {
  const [topic, payload] = await subscriber.receive();
  return [String(topic), EventSchema.parse(JSON.parse(String(payload)))];
}

describe('EventPublisher', () => {
  it('publishes model events under the model topic with seq growing by 1 from 1', async () => {
    const publisher = fixture.track(
      new EventPublisher({
        endpoint: fixture.endpoint('events'),
        incarnation: 'inc-1',
        now: () => 1234,
      }),
    );
    await publisher.start();
    expect(publisher.seq).toBe(0);
    const subscriber = fixture.track(new zmq.Subscriber({ linger: 0, receiveTimeout: 200 }));
    subscriber.subscribe(EVENT_TOPIC_MODEL);
    subscriber.connect(publisher.endpoint);

    // A subscription reaches the publisher some time after connect; publish until one lands.
    const first = await withDeadline(
      (async () => {
        for (;;) {
          publisher.publish(modelInfo('warmup', 'stopped'));
          try {
            return await receiveEvent(subscriber);
          } catch {
            // nothing arrived within receiveTimeout: the subscription was not there yet
          }
        }
      })(),
      3000,
      'the subscription to reach the publisher',
    );
    expect(first[0]).toBe(EVENT_TOPIC_MODEL);
    const warmups = publisher.seq;
    // Drain the warm-up events that are still in flight.
    while (first[1].seq < warmups) first[1] = (await receiveEvent(subscriber))[1];

    const returned = publisher.publish(modelInfo('qwen', 'starting'));
    publisher.publish(modelInfo('qwen', 'ready', { port: 10240 }));
    const [topic, starting] = await receiveEvent(subscriber);
    const [, ready] = await receiveEvent(subscriber);
    expect(topic).toBe('model');
    expect(starting).toEqual(returned);
    expect(starting).toEqual({
      v: PROTOCOL_VERSION,
      incarnation: 'inc-1',
      seq: warmups + 1,
      at: 1234,
      type: 'model',
      model: modelInfo('qwen', 'starting'),
    });
    expect(ready).toMatchObject({ seq: warmups + 2, model: { state: 'ready', port: 10240 } });
    expect(publisher.seq).toBe(warmups + 2);
  });

  it('numbers from 1 and keeps counting while the socket is closed', async () => {
    const publisher = new EventPublisher({
      endpoint: fixture.endpoint('events'),
      incarnation: 'i',
    });
    expect(publisher.publish(modelInfo('a', 'stopped')).seq).toBe(1);
    await publisher.start();
    expect(publisher.publish(modelInfo('a', 'starting')).seq).toBe(2);
    await publisher.close();
    expect(publisher.publish(modelInfo('a', 'ready')).seq).toBe(3);
  });
});
