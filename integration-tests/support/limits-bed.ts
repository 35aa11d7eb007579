import { afterAll, afterEach, beforeAll } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import type { TestGateway } from './gateway.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** What a limits test file runs against: one fake cloud, one redis-server, its gateways. */
export interface LimitsBed {
  cloud: FakeOpenAICloud;
  redis: RedisServer;
  /** Gateways started by a test, stopped after it (the cloud's requests are forgotten too). */
  gateways: TestGateway[];
}

/** Starts the fake cloud (answering `cloudKey`) and a redis-server for the file's tests. */
export function useLimitsBed(cloudKey: string): LimitsBed {
  const bed = { gateways: [] as TestGateway[] } as LimitsBed;
  beforeAll(async () => {
    bed.cloud = await FakeOpenAICloud.start({ apiKey: cloudKey });
    bed.redis = await startRedisServer();
  });
  afterAll(async () => {
    await bed.cloud?.close();
    await bed.redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(bed.gateways.splice(0).map((g) => g.stop()));
    bed.cloud.reset();
  });
  return bed;
}
