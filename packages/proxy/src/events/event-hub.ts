import type { AuditRecord } from '../audit/audit-record.js';

/** What happens in the gateway that a tool can follow live. */
export type GatewayEvent =
  | { type: 'request.ended'; record: AuditRecord }
  | {
      type: 'model.state';
      model: string;
      state: 'stopped' | 'starting' | 'ready' | 'stopping' | 'failed';
      reason?: string;
      /** Epoch milliseconds of the change. */
      at: number;
    };

export type GatewayEventType = GatewayEvent['type'];

/** An event as published: its sequence number (the SSE `id`) and its JSON, made once. */
export class PublishedEvent {
  private json: string | undefined;

  constructor(
    readonly id: number,
    readonly event: GatewayEvent,
  ) {}

  get type(): GatewayEventType {
    return this.event.type;
  }

  /** The event as JSON, serialised once however many subscribers send it. */
  get data(): string {
    this.json ??= JSON.stringify(this.event);
    return this.json;
  }
}

export type EventListener = (event: PublishedEvent) => void;

/**
 * The proxy's in-process event hub: publishers (the request path at each request's end, the
 * supervisor link at each model state change) call `publish`; subscribers (SSE connections)
 * get every event in order. The last `replay` events are kept so a client that reconnects with
 * `Last-Event-ID` misses nothing in between. Publishing with no subscriber costs a counter
 * increment and a slot in the ring.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly ring: Array<PublishedEvent | undefined>;
  private nextId = 1;

  constructor(private readonly replay = 256) {
    this.ring = new Array<PublishedEvent | undefined>(Math.max(0, replay));
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Id of the latest event (0 before the first). */
  get lastId(): number {
    return this.nextId - 1;
  }

  publish(event: GatewayEvent): void {
    const published = new PublishedEvent(this.nextId++, event);
    if (this.replay > 0) this.ring[published.id % this.replay] = published;
    for (const listener of this.listeners) {
      try {
        listener(published);
      } catch {
        // One broken subscriber must not stop the others, nor the publisher.
      }
    }
  }

  /**
   * Calls `listener` with every event from now on; with `afterId`, first with the kept events
   * after that id. Returns the unsubscribe function.
   */
  subscribe(listener: EventListener, afterId?: number): () => void {
    if (afterId !== undefined) {
      for (const event of this.replayAfter(afterId)) listener(event);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private replayAfter(afterId: number): PublishedEvent[] {
    const events: PublishedEvent[] = [];
    const from = Math.max(afterId + 1, this.nextId - this.replay);
    for (let id = from; id < this.nextId; id++) {
      const event = this.ring[id % this.replay];
      if (event?.id === id) events.push(event);
    }
    return events;
  }
}
