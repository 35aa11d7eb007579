import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LimitedScope } from '@mlx-gateway/shared/clients';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { readUsage } from './keys-limit-usage.js';

const scopes: LimitedScope[] = [{ kind: 'model', name: 'gpt', limits: { rpm: 5 } }];

/** A port nothing listens on (taken from the OS, then given back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('readUsage', () => {
  it('reads nothing when nothing has limits', async () => {
    expect(await readUsage(undefined, [])).toEqual({ usage: new Map() });
  });

  it('says why without a config and without --proxy', async () => {
    const reading = await readUsage(undefined, scopes);
    expect(reading.usage.size).toBe(0);
    expect(reading.note).toContain(
      'without the config the CLI cannot find the state store or the proxy',
    );
  });

  it('reads Redis when the config names one, and says so when it does not answer', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}/0`;
    const config = {
      home: '/nonexistent',
      state: {
        keyPrefix: 'x:',
        whenDown: 'serve',
        redis: { url, commandTimeoutMs: 200, connectTimeoutMs: 300 },
      },
    } as unknown as GatewayConfig;
    const reading = await readUsage(config, scopes);
    expect(reading.source).toBeUndefined();
    expect(reading.note).toBe(
      `usage not read from Redis at ${url} (state.redis): Redis did not answer in time`,
    );
  });
});
