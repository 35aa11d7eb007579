import { scrubSecrets } from '@mlx-gateway/shared/security';
import type { AuditCaptureConfig } from '@mlx-gateway/shared/config';
import type { AuditCapture } from './audit-record.js';

/**
 * Which requests get their bodies captured: those for a listed model (as asked for, or the
 * model that answered) or from a listed client key name. Off while both lists are empty.
 */
export class CapturePolicy {
  private readonly models: ReadonlySet<string>;
  private readonly clients: ReadonlySet<string>;

  constructor(private readonly config: AuditCaptureConfig) {
    this.models = new Set(config.models);
    this.clients = new Set(config.clients);
  }

  get enabled(): boolean {
    return this.models.size > 0 || this.clients.size > 0;
  }

  /** A capture for this request, or undefined (the common case, decided with two set lookups). */
  captureFor(model: string | undefined, client: string | undefined): BodyCapture | undefined {
    if (!this.enabled) return undefined;
    const wanted =
      (model !== undefined && this.models.has(model)) ||
      (client !== undefined && this.clients.has(client));
    return wanted ? new BodyCapture(this.config.maxBytes) : undefined;
  }
}

/** One body, kept up to a limit. */
class BoundedBody {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer | string): void {
    const room = this.limit - this.kept;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buf.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    // A copy: the caller's buffer may be pooled and reused.
    this.parts.push(Buffer.from(part));
    this.kept += part.length;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/**
 * The request and response bodies of one request, each cut at `maxBytes`, and scrubbed of
 * key-shaped strings (the shared scrubber, like every log) when the record is made.
 */
export class BodyCapture {
  private readonly request: BoundedBody;
  private readonly response: BoundedBody;

  constructor(maxBytes: number) {
    this.request = new BoundedBody(maxBytes);
    this.response = new BoundedBody(maxBytes);
  }

  requestBody(chunk: Buffer | string): void {
    this.request.push(chunk);
  }

  responseBody(chunk: Buffer | string): void {
    this.response.push(chunk);
  }

  result(): AuditCapture {
    const capture: AuditCapture = {
      truncated: this.request.truncated || this.response.truncated,
    };
    if (!this.request.empty) capture.request = scrubSecrets(this.request.text());
    if (!this.response.empty) capture.response = scrubSecrets(this.response.text());
    return capture;
  }
}
