import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SSEStreamingApi } from 'hono/streaming';
import type { ActivityStore } from './activity-store.js';

/** How often a comment keeps an idle stream open through proxies. */
const HEARTBEAT_MS = 15_000;

/**
 * GET /dashboard/events: tells the open pages what changed, never the data itself (the page
 * fetches its fragment, so every byte shown goes through the same rendering): `model` when a
 * model's info changes (state, leases, memory), `request` when a request ends. Bursts are
 * coalesced by the page.
 */
export function dashboardEvents(
  c: Context,
  modelChanges: Set<() => void>,
  activity: ActivityStore,
): Response {
  c.header('x-accel-buffering', 'no');
  c.header('cache-control', 'no-store');
  return streamSSE(c, (stream) => follow(stream, modelChanges, activity));
}

async function follow(
  stream: SSEStreamingApi,
  modelChanges: Set<() => void>,
  activity: ActivityStore,
): Promise<void> {
  const pending = new Set<'model' | 'request'>();
  let wake: (() => void) | undefined;
  const poke = (): void => {
    wake?.();
    wake = undefined;
  };
  const note = (kind: 'model' | 'request') => (): void => {
    pending.add(kind);
    poke();
  };
  const onModel = note('model');
  modelChanges.add(onModel);
  const unfollowRequests = activity.onRecord(note('request'));
  let heartbeat = false;
  const timer = setInterval(() => {
    heartbeat = true;
    poke();
  }, HEARTBEAT_MS);
  stream.onAbort(poke);
  try {
    await stream.write(': connected\n\n');
    while (!stream.aborted) {
      if (pending.size > 0) {
        const kinds = [...pending];
        pending.clear();
        for (const kind of kinds) await stream.writeSSE({ event: kind, data: '{}' });
      } else if (heartbeat) {
        heartbeat = false;
        await stream.write(': heartbeat\n\n');
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    clearInterval(timer);
    modelChanges.delete(onModel);
    unfollowRequests();
  }
}
