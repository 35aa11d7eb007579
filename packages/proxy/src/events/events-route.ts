import type { Context, Env, Handler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SSEStreamingApi } from 'hono/streaming';
import type { EventHub, GatewayEventType, PublishedEvent } from './event-hub.js';

export interface EventsRouteOptions<E extends Env> {
  /** A comment line this often keeps proxies and idle-timeouts from closing the stream. */
  heartbeatMs?: number;
  /** Events held for a slow client before it is told it lagged and the stream ends. */
  maxQueue?: number;
  /** Who may follow (default: whoever reached the route, the app's auth having run). */
  allow?: (c: Context<E>) => boolean | Promise<boolean>;
}

const TYPES: ReadonlySet<string> = new Set<GatewayEventType>(['request.ended', 'model.state']);

/**
 * GET /v1/gateway/events: the hub's events as server-sent events (`event: <type>`, `id: <seq>`,
 * `data: <json>`), pushed as they happen, never polled. `?types=model.state` picks types;
 * `Last-Event-ID` resumes after a reconnect. A client that reads too slowly gets an
 * `event: lagged` and the end of the stream (it reconnects with its last id), so a stuck
 * client never makes the proxy hold an unbounded queue.
 */
export function gatewayEventsRoute<E extends Env>(
  hub: EventHub,
  options: EventsRouteOptions<E> = {},
): Handler<E> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxQueue = options.maxQueue ?? 1_000;
  return async (c) => {
    if (options.allow !== undefined && !(await options.allow(c))) return c.notFound();
    const wanted = c.req
      .query('types')
      ?.split(',')
      .filter((t) => TYPES.has(t));
    const filter = wanted !== undefined && wanted.length > 0 ? new Set(wanted) : undefined;
    const lastId = Number(c.req.header('last-event-id'));
    const afterId = Number.isInteger(lastId) && lastId >= 0 ? lastId : undefined;
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, (stream) =>
      follow(stream, hub, { filter, afterId, heartbeatMs, maxQueue }),
    );
  };
}

interface FollowOptions {
  filter: Set<string> | undefined;
  afterId: number | undefined;
  heartbeatMs: number;
  maxQueue: number;
}

/** Sends events as they come until the client goes away or lags; one writer at a time. */
async function follow(stream: SSEStreamingApi, hub: EventHub, o: FollowOptions): Promise<void> {
  const queue: PublishedEvent[] = [];
  let lagged = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = hub.subscribe((event) => {
    if (o.filter !== undefined && !o.filter.has(event.type)) return;
    if (queue.length >= o.maxQueue) lagged = true;
    else queue.push(event);
    poke();
  }, o.afterId);
  let heartbeat = false;
  const timer = setInterval(() => {
    heartbeat = true;
    poke();
  }, o.heartbeatMs);
  stream.onAbort(poke);
  try {
    await stream.write(': connected\n\n');
    while (!stream.aborted) {
      const event = queue.shift();
      if (event !== undefined) {
        await stream.writeSSE({ event: event.type, id: String(event.id), data: event.data });
      } else if (lagged) {
        await stream.writeSSE({ event: 'lagged', data: '{"reconnect":true}' });
        return;
      } else if (heartbeat) {
        heartbeat = false;
        await stream.write(': heartbeat\n\n');
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    clearInterval(timer);
    unsubscribe();
  }
}
