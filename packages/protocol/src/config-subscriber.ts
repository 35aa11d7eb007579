import * as zmq from 'zeromq';
import { applyCurveClient } from './curve.js';
import type { CurveClientOptions } from './curve.js';
import { formatIssues, summarizeIssues } from './format-issues.js';
import type { ConfigEvent } from './messages.js';
import { ConfigEventSchema, EVENT_TOPIC_CONFIG, PROTOCOL_VERSION } from './messages.js';
import { ignoreWarning } from './warning.js';
import type { WarningHandler } from './warning.js';

export interface ConfigSubscriberOptions {
  /** The supervisor's event endpoint (PUB). */
  eventsEndpoint: string;
  /** Called once per config event, in order; a throw or rejection is reported as a warning. */
  onConfig: (event: ConfigEvent) => void | Promise<void>;
  curve?: CurveClientOptions;
  onWarning?: WarningHandler;
}

/**
 * Listens for the supervisor's `config` events (a reload was applied). Only that topic is
 * subscribed; a frame that is not a valid config event of this protocol version is ignored
 * with a warning, never thrown into the event loop.
 */
export class ConfigSubscriber {
  private subscriber: zmq.Subscriber | undefined;
  private closed = false;
  private readonly warn: WarningHandler;

  constructor(private readonly options: ConfigSubscriberOptions) {
    this.warn = options.onWarning ?? ignoreWarning;
  }

  start(): void {
    if (this.subscriber !== undefined || this.closed) return;
    const subscriber = new zmq.Subscriber({
      linger: 0,
      reconnectInterval: 100,
      reconnectMaxInterval: 1000,
    });
    try {
      if (this.options.curve !== undefined) applyCurveClient(subscriber, this.options.curve);
      subscriber.subscribe(EVENT_TOPIC_CONFIG);
      subscriber.connect(this.options.eventsEndpoint);
    } catch (error) {
      subscriber.close();
      throw error;
    }
    this.subscriber = subscriber;
    void this.receive(subscriber);
  }

  close(): void {
    this.closed = true;
    this.subscriber?.close();
    this.subscriber = undefined;
  }

  private async receive(subscriber: zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of subscriber) await this.onFrames(frames);
    } catch (error) {
      if (!this.closed) this.warn('config event subscriber stopped receiving', { err: error });
    }
  }

  private async onFrames(frames: Buffer[]): Promise<void> {
    const event = this.parse(frames);
    if (event === undefined) return;
    try {
      await this.options.onConfig(event);
    } catch (error) {
      this.warn('handling a config event failed', { err: error });
    }
  }

  private parse(frames: Buffer[]): ConfigEvent | undefined {
    const [topic, payload] = frames;
    if (topic?.toString('utf8') !== EVENT_TOPIC_CONFIG || payload === undefined) {
      this.warn('ignored a malformed config event', { reason: `${frames.length} frames` });
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.warn('ignored a malformed config event', { reason: 'not JSON' });
      return undefined;
    }
    const parsed = ConfigEventSchema.safeParse(json);
    if (!parsed.success) {
      this.warn('ignored a malformed config event', {
        reason: formatIssues(summarizeIssues(parsed.error.issues)),
      });
      return undefined;
    }
    if (parsed.data.v !== PROTOCOL_VERSION) {
      this.warn('ignored a config event of another protocol version', { received: parsed.data.v });
      return undefined;
    }
    return parsed.data;
  }
}
