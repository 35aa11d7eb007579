import type { LogFn, ProxyLogger } from '../logging/logger.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

/** A logger that keeps every line, for tests that check what is (and is not) logged. */
export class RecordingLogger implements ProxyLogger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug: LogFn = (obj, msg) => this.add('debug', obj, msg);
  info: LogFn = (obj, msg) => this.add('info', obj, msg);
  warn: LogFn = (obj, msg) => this.add('warn', obj, msg);
  error: LogFn = (obj, msg) => this.add('error', obj, msg);

  child(bindings: Record<string, unknown>): ProxyLogger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }

  /** The request log lines ('request'), in order. */
  get requests(): Array<Record<string, unknown>> {
    return this.lines.filter((line) => line.msg === 'request').map((line) => line.fields);
  }

  /** Waits (with a deadline) until `count` request lines were written; returns the last. */
  async waitForRequests(count: number, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} request log lines, got ${this.requests.length}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.requests[count - 1] as Record<string, unknown>;
  }

  private add(level: LogLine['level'], obj: object, msg: string | undefined): void {
    this.lines.push({
      level,
      msg,
      fields: { ...this.bindings, ...(obj as Record<string, unknown>) },
    });
  }
}
