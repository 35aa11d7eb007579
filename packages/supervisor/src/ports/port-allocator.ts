import { createServer } from 'node:net';
import type { Owner } from '@mlx-gateway/protocol';
import type { PortRange } from '@mlx-gateway/shared/config';

/** Can we bind this port on the loopback interface right now? */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Hands out ports from two separate ranges (gateway starts and operator starts), never the same
 * port twice, skipping ports some other program holds.
 */
export class PortAllocator {
  private readonly taken = new Set<number>();
  private readonly cursor: Record<Owner, number>;

  constructor(
    private readonly ranges: Record<Owner, PortRange>,
    private readonly isFree: (port: number) => Promise<boolean> = portIsFree,
  ) {
    this.cursor = { gateway: ranges.gateway.from, operator: ranges.operator.from };
  }

  /** Marks a port as used (an adopted child's). */
  reserve(port: number): void {
    this.taken.add(port);
  }

  release(port: number): void {
    this.taken.delete(port);
  }

  async allocate(owner: Owner): Promise<number | undefined> {
    const { from, to } = this.ranges[owner];
    const size = to - from + 1;
    for (let i = 0; i < size; i++) {
      const port = from + ((this.cursor[owner] - from + i) % size);
      if (this.taken.has(port)) continue;
      this.taken.add(port); // claim before the async check so concurrent starts never pick it
      if (await this.isFree(port)) {
        this.cursor[owner] = port + 1 > to ? from : port + 1;
        return port;
      }
      this.taken.delete(port);
    }
    return undefined;
  }
}
