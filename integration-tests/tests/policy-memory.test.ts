import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RssSampler } from '../support/group-memory.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { standinMain, standinModel } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const MiB = 2 ** 20;
const BUDGET = 400 * MiB;
const MODELS = ['rss-a', 'rss-b', 'rss-c', 'rss-d'];

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

const chat = (model: string) => ({
  model,
  messages: [{ role: 'user', content: 'hold some memory' }],
  max_tokens: 4,
});

/** Every model process group the supervisor has registered so far (gone ones count 0). */
function registeredGroups(gateway: TestGateway): () => Set<number> {
  const seen = new Set<number>();
  return () => {
    for (const c of gateway.children()) seen.add(c.pid);
    return seen;
  };
}

/** The four models requested one after the other, the resident memory sampled throughout. */
async function requestAll(url: string, sampler: RssSampler) {
  sampler.start();
  for (const model of MODELS) {
    const res = await postJson(`${url}/v1/chat/completions`, chat(model));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const lastAnswer = Date.now();
  // Back under the budget without another start (and before the 5 s periodic sample).
  await waitUntil(() => sampler.sample() <= BUDGET, 'the models to be back under the budget');
  const backUnderMs = Date.now() - lastAnswer;
  sampler.stop();
  return { backUnderMs };
}

describe('memory admission with models that hold real memory', () => {
  it('4 models of ~150 MiB each under a 400 MiB budget: never more than one footprint over, back under at once; footprints persist', async () => {
    gw = new TestGateway();
    await gw.configure(
      MODELS.map((m) => standinModel(m, { MLX_STANDIN_RSS_MB: 150, MLX_STANDIN_LOAD_MS: 50 })).join(
        '\n',
      ),
      '  maxLoadedModels: 4\n  memoryBudget: 400MiB\n',
    );
    await gw.startSupervisor();
    const url = await gw.startProxy();

    // First round: nothing measured yet (no weights on disk to estimate from either).
    const first = new RssSampler(registeredGroups(gw));
    const { backUnderMs } = await requestAll(url, first);
    const footprints = await Promise.all(MODELS.map((m) => gw.model(m)));
    for (const info of footprints) {
      expect(info.footprintSource).toBe('measured');
      expect(info.footprintBytes).toBeGreaterThan(150 * MiB);
    }
    const largest = Math.max(...footprints.map((f) => f.footprintBytes ?? 0));
    expect(first.peak).toBeLessThanOrEqual(BUDGET + largest);
    expect(backUnderMs).toBeLessThan(4_000);
    const stored = JSON.parse(readFileSync(join(gw.home, 'footprints.json'), 'utf8')) as {
      models: Record<string, { bytes: number }>;
    };
    expect(Object.keys(stored.models).sort()).toEqual(MODELS);

    // A new supervisor admits each model with its measured footprint: room is made before a
    // model spawns, so the sum stays within the budget (with a little for memory that grows).
    gw.supervisor!.child.kill('SIGTERM');
    await gw.supervisor!.exited;
    await gw.startSupervisor();
    for (const m of MODELS) {
      const info = await gw.model(m);
      expect(info.state).toBe('stopped');
      expect(info.footprintSource).toBe('measured');
      expect(info.footprintBytes).toBe(stored.models[m]!.bytes);
    }
    const second = new RssSampler(registeredGroups(gw));
    await requestAll(url, second);
    expect(second.peak).toBeLessThanOrEqual(BUDGET + largest);
    expect(second.peak).toBeLessThanOrEqual(BUDGET * 1.05);
    const loaded = (await Promise.all(MODELS.map((m) => gw.model(m)))).filter(
      (i) => i.state === 'ready',
    );
    expect(loaded.length).toBeLessThanOrEqual(2);
    console.log(
      `RSS peak, first round (footprints unknown): ${Math.round(first.peak / MiB)} MiB; ` +
        `second round (measured footprints): ${Math.round(second.peak / MiB)} MiB; ` +
        `budget ${BUDGET / MiB} MiB; largest footprint ${Math.round(largest / MiB)} MiB; ` +
        `back under the budget ${backUnderMs} ms after the last answer`,
    );
  });

  it('models never run before are admitted with the size of their weights on disk', async () => {
    gw = new TestGateway();
    // Each model directory holds 200 MiB of "weights" (sparse files: no disk space used).
    const models = MODELS.map((name) => {
      const dir = join(gw.home, 'weights', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.safetensors'), '');
      truncateSync(join(dir, 'model.safetensors'), 200 * MiB);
      return `  ${name}:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(standinMain)}]
    modelPath: ${JSON.stringify(dir)}
    env: { MLX_STANDIN_RSS_MB: "150", MLX_STANDIN_LOAD_MS: "50" }
`;
    });
    await gw.configure(models.join(''), '  maxLoadedModels: 4\n  memoryBudget: 400MiB\n');
    await gw.startSupervisor();
    for (const m of MODELS) {
      expect(await gw.model(m)).toMatchObject({
        footprintSource: 'estimate',
        footprintBytes: 200 * MiB,
      });
    }
    const url = await gw.startProxy();
    const sampler = new RssSampler(registeredGroups(gw));
    await requestAll(url, sampler);
    // Two estimates of 200 MiB fill the budget: each start made room before it spawned.
    expect(sampler.peak).toBeLessThanOrEqual(BUDGET * 1.05);
    // Each run was measured as its model became ready (an asynchronous sample of its process
    // group, which a busy machine may finish after the answer): wait for the last one.
    for (const m of MODELS) {
      await waitUntil(
        async () => (await gw.model(m)).footprintSource === 'measured',
        `${m}'s footprint measured`,
      );
    }
    console.log(`RSS peak, footprints estimated from disk: ${Math.round(sampler.peak / MiB)} MiB`);
  });
});
