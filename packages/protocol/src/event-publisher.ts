import * as zmq from 'zeromq';
import { bindServerSocket, closeBoundSocket } from './bound-socket.js';
import type { BoundSocket } from './bound-socket.js';
import type { CurveServerOptions } from './curve.js';
import type { ConfigEvent, ModelInfo, SupervisorEvent } from './messages.js';
import { EVENT_TOPIC_CONFIG, EVENT_TOPIC_MODEL, PROTOCOL_VERSION } from './messages.js';
import { SerialQueue } from './serial-queue.js';
import { ignoreWarning } from './warning.js';
import type { WarningHandler } from './warning.js';

export interface EventPublisherOptions {
  /** `ipc:///run/dir/events.sock` or, with `curve`, `tcp://host:port` (port `*` = OS-assigned). */
  endpoint: string;
  /** Identifies this supervisor run; subscribers resnapshot when it changes. */
  incarnation: string;
  /** Makes the socket a CURVE server. */
  curve?: CurveServerOptions;
  onWarning?: WarningHandler;
  /** Clock for the events' `at`, epoch ms. */
  now?: () => number;
}

/**
 * The supervisor's event stream, over a PUB socket: each model change as a topic frame
 * (`model`) and one JSON event carrying the incarnation and a sequence number that grows by 1
 * from 1. A snapshot served over control must carry `seq` read in the same synchronous step as
 * the state it describes, so that subscribers can tell which events it already contains.
 */
export class EventPublisher {
  readonly incarnation: string;
  private bound: BoundSocket<zmq.Publisher> | undefined;
  private lastSeq = 0;
  private readonly queue = new SerialQueue();
  private readonly warn: WarningHandler;
  private readonly now: () => number;

  constructor(private readonly options: EventPublisherOptions) {
    this.incarnation = options.incarnation;
    this.warn = options.onWarning ?? ignoreWarning;
    this.now = options.now ?? Date.now;
  }

  /** Sequence number of the last event published; 0 before the first. */
  get seq(): number {
    return this.lastSeq;
  }

  /** The endpoint actually bound (with the real port for `tcp://...:*`), or the configured one. */
  get endpoint(): string {
    return this.bound?.endpoint ?? this.options.endpoint;
  }

  /** Binds the socket. Rejects with ENDPOINT_IN_USE when a live process holds an ipc endpoint. */
  async start(): Promise<void> {
    if (this.bound !== undefined) throw new Error('event publisher already started');
    const { endpoint, curve } = this.options;
    this.bound = await bindServerSocket(() => new zmq.Publisher({ linger: 0 }), endpoint, curve);
  }

  /**
   * Publishes a model's new state and returns the event. The sequence number advances even
   * when the socket is not open (before start, after close): subscribers see the gap and
   * resnapshot, which is what they must do anyway.
   */
  publish(model: ModelInfo): SupervisorEvent {
    this.lastSeq += 1;
    const event: SupervisorEvent = {
      v: PROTOCOL_VERSION,
      incarnation: this.incarnation,
      seq: this.lastSeq,
      at: this.now(),
      type: 'model',
      model,
    };
    const socket = this.socket;
    if (socket !== undefined) {
      const frame = JSON.stringify(event);
      void this.queue
        .run(() =>
          this.socket === socket ? socket.send([EVENT_TOPIC_MODEL, frame]) : Promise.resolve(),
        )
        .catch((error: unknown) => {
          if (this.socket === socket)
            this.warn('could not publish an event', { seq: event.seq, err: error });
        });
    }
    return event;
  }

  /**
   * Announces that config `generation` is in force (topic `config`). Model subscribers never
   * see it, and it does not use up a model event sequence number.
   */
  publishConfig(generation: number, file?: string): ConfigEvent {
    const event: ConfigEvent = {
      v: PROTOCOL_VERSION,
      incarnation: this.incarnation,
      at: this.now(),
      type: 'config',
      generation,
      ...(file === undefined ? {} : { file }),
    };
    this.send(EVENT_TOPIC_CONFIG, JSON.stringify(event), generation);
    return event;
  }

  private send(topic: string, frame: string, seq: number): void {
    const socket = this.socket;
    if (socket === undefined) return;
    void this.queue
      .run(() => (this.socket === socket ? socket.send([topic, frame]) : Promise.resolve()))
      .catch((error: unknown) => {
        if (this.socket === socket) this.warn('could not publish an event', { seq, err: error });
      });
  }

  /** Closes the socket and removes its ipc file. */
  async close(): Promise<void> {
    const bound = this.bound;
    if (bound === undefined) return;
    this.bound = undefined;
    await closeBoundSocket(bound);
  }

  /** The socket while it is open; events sent by a closed socket are dropped. */
  private get socket(): zmq.Publisher | undefined {
    return this.bound?.socket;
  }
}
