import type { ServerResponse } from 'node:http';
import type { ClientFormat } from '../api/client-format.js';
import { rateLimitHeaderNames } from './rate-limit-headers.js';
import type { HeaderSink } from './rate-limit-headers.js';

const KINDS = ['requests', 'tokens'] as const;

/**
 * The headers one check of a fallback model's limits set (its rate-limit headers, and
 * Retry-After when it refused), kept aside: the client's response already carries those of its
 * key and first model, and a refusal's only matter if the fallback chain ends on it.
 */
export class HeaderScratch implements HeaderSink {
  readonly headersSent = false;
  private readonly headers = new Map<string, string>();

  setHeader(name: string, value: string): this {
    this.headers.set(name, value);
    return this;
  }

  /** Every header, as the check set it (a refusal the client gets: its 429's headers). */
  applyTo(res: ServerResponse): void {
    if (res.headersSent) return;
    for (const [name, value] of this.headers) res.setHeader(name, value);
  }

  /**
   * Per kind (requests, tokens), this check's headers where it has fewer left than the response
   * says already (or the response has none): the headers report the limit met first, as for a
   * key and its model.
   */
  applyTighterTo(res: ServerResponse, format: ClientFormat): void {
    if (res.headersSent) return;
    for (const kind of KINDS) {
      const names = rateLimitHeaderNames(format, kind);
      const remaining = this.headers.get(names.remaining);
      if (remaining === undefined) continue;
      const current = res.getHeader(names.remaining);
      if (current !== undefined && Number(current) <= Number(remaining)) continue;
      for (const name of [names.limit, names.remaining, names.reset]) {
        const value = this.headers.get(name);
        if (value !== undefined) res.setHeader(name, value);
      }
    }
  }
}
