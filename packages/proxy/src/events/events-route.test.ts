import { Hono } from 'hono';
import type { BlankEnv } from 'hono/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../audit/audit-record.js';
import { waitUntil } from '../testing/wait-until.js';
import { EventHub } from './event-hub.js';
import { gatewayEventsRoute } from './events-route.js';
import type { EventsRouteOptions } from './events-route.js';

const record = { requestId: 'r1', status: 200 } as AuditRecord;

/** Reads a streamed body as text, chunk by chunk, until `pattern` appears. */
class BodyReader {
  text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }

  async until(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.text)) {
      const { done, value } = await this.reader.read();
      if (done) throw new Error(`stream ended before ${pattern}; got:\n${this.text}`);
      this.text += this.decoder.decode(value, { stream: true });
    }
    return this.text;
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

function appWith(hub: EventHub, options: EventsRouteOptions<BlankEnv> = {}): Hono {
  const app = new Hono();
  app.get('/v1/gateway/events', gatewayEventsRoute(hub, options));
  return app;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EventHub', () => {
  it('gives subscribers every event in order, and replays the kept ones after an id', () => {
    const hub = new EventHub(2);
    hub.publish({ type: 'model.state', model: 'a', state: 'starting', at: 1 });
    hub.publish({ type: 'model.state', model: 'a', state: 'ready', at: 2 });
    hub.publish({ type: 'request.ended', record });
    const seen: number[] = [];
    const unsubscribe = hub.subscribe((e) => seen.push(e.id), 0);
    hub.publish({ type: 'model.state', model: 'a', state: 'stopping', at: 3 });
    unsubscribe();
    hub.publish({ type: 'model.state', model: 'a', state: 'stopped', at: 4 });
    // Only the last two were kept when the subscriber came.
    expect(seen).toEqual([2, 3, 4]);
    expect(hub.subscribers).toBe(0);
    expect(hub.lastId).toBe(5);
  });

  it('keeps publishing when a subscriber throws', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    hub.subscribe(() => {
      throw new Error('broken');
    });
    hub.subscribe((e) => seen.push(e.data));
    hub.publish({ type: 'request.ended', record });
    expect(seen).toEqual([JSON.stringify({ type: 'request.ended', record })]);
  });
});

describe('GET /v1/gateway/events', () => {
  it('pushes events as they happen, filtered by type, and lets go of the hub when the client leaves', async () => {
    const hub = new EventHub();
    const res = await appWith(hub).request('/v1/gateway/events?types=model.state');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const body = new BodyReader(res);
    await body.until(/: connected/);
    expect(hub.subscribers).toBe(1);
    hub.publish({ type: 'request.ended', record });
    hub.publish({ type: 'model.state', model: 'qwen', state: 'ready', at: 5 });
    const text = await body.until(/event: model.state/);
    expect(text).toContain(
      `event: model.state\ndata: ${JSON.stringify({ type: 'model.state', model: 'qwen', state: 'ready', at: 5 })}\nid: 2\n\n`,
    );
    expect(text).not.toContain('request.ended');
    await body.cancel();
    await waitUntil(() => hub.subscribers === 0);
  });

  it('resumes after Last-Event-ID', async () => {
    const hub = new EventHub();
    for (let i = 0; i < 3; i++)
      hub.publish({ type: 'request.ended', record: { ...record, requestId: `r${i}` } });
    const res = await appWith(hub).request('/v1/gateway/events', {
      headers: { 'last-event-id': '1' },
    });
    const body = new BodyReader(res);
    const text = await body.until(/id: 3/);
    expect(text).not.toContain('"r0"');
    expect(text).toContain('"r1"');
    await body.cancel();
  });

  it('sends heartbeats while nothing happens', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hub = new EventHub();
    const body = new BodyReader(
      await appWith(hub, { heartbeatMs: 1000 }).request('/v1/gateway/events'),
    );
    await body.until(/: connected/);
    vi.advanceTimersByTime(1000);
    await body.until(/: heartbeat\n\n/);
    await body.cancel();
  });

  it('tells a client that fell behind that it lagged, and ends its stream', async () => {
    const hub = new EventHub();
    const body = new BodyReader(await appWith(hub, { maxQueue: 2 }).request('/v1/gateway/events'));
    await body.until(/: connected/);
    for (let i = 0; i < 10; i++) hub.publish({ type: 'request.ended', record });
    const text = await body.until(/event: lagged/);
    expect(text.match(/event: request.ended/g)?.length).toBeLessThan(10);
    await waitUntil(() => hub.subscribers === 0);
  });

  it('answers 404 to a caller the predicate refuses', async () => {
    const res = await appWith(new EventHub(), { allow: () => false }).request('/v1/gateway/events');
    expect(res.status).toBe(404);
  });
});
