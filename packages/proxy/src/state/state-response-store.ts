import type { StateStore } from '@mlx-gateway/shared/state';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { ResponseStore, StoredResponse } from './response-store.js';

const KEY_PREFIX = 'responses:';

/**
 * A ResponseStore in the gateway's state store (a document per response, with a TTL): the
 * embedded store by default, a shared Redis when `state.redis` is configured. The store is
 * opened on first use. Writes are fire-and-forget for the request that made the response, so a
 * read waits for a write of the same id still under way: a client that sends
 * `previous_response_id` the moment the previous stream ended finds it.
 */
export class StateResponseStore implements ResponseStore {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly state: () => Promise<StateStore>,
    private readonly ttlMs: number,
  ) {}

  put(stored: StoredResponse): Promise<void> {
    const id = stored.response.id;
    const write = this.state()
      .then((state) => state.putDocument(KEY_PREFIX + id, stored, this.ttlMs))
      .finally(() => {
        if (this.pending.get(id) === write) this.pending.delete(id);
      });
    this.pending.set(id, write);
    return write;
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.pending.get(id)?.catch(() => undefined);
    const state = await this.state();
    return (await state.getDocument(KEY_PREFIX + id)) as StoredResponse | undefined;
  }

  async delete(id: string): Promise<boolean> {
    await this.pending.get(id)?.catch(() => undefined);
    return (await this.state()).deleteDocument(KEY_PREFIX + id);
  }
}

/** The embedded store with its own state (tests, and an app built without a server). */
export function embeddedResponseStore(ttlMs: number): StateResponseStore {
  let opened: Promise<StateStore> | undefined;
  const open = (): Promise<StateStore> =>
    (opened ??= openStateStore({ keyPrefix: 'mlx-gateway:', whenDown: 'serve' }));
  return new StateResponseStore(open, ttlMs);
}
