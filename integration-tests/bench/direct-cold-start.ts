import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { freePort } from '../support/processes.js';
import { standinMain } from './bench-paths.js';
import { coldStartFigures, firstByteAt } from './cold-start.js';
import type { ColdStart } from './cold-start.js';
import { epochMs } from '../standin/epoch-clock.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The model server's own share of a cold start, without the gateway: a stand-in started the way
 * the gateway's cold models are (same load time), `waiting` streamed requests sent at once the
 * moment its /health first answers, first bytes timed from that answer. With 100 at once this
 * is what the model server takes to answer its first request while the other 99 arrive.
 */
export async function measureDirectColdStart(waiting: number, loadMs: number): Promise<ColdStart> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [standinMain, 'launch', '--model-path', 'mlx-community/direct-4bit', '--port', String(port)],
    {
      stdio: 'ignore',
      env: { ...process.env, MLX_STANDIN_LOAD_MS: String(loadMs), MLX_STANDIN_TOKEN_MS: '0' },
    },
  );
  const exited = once(child, 'exit');
  try {
    const origin = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + loadMs + 30_000;
    for (;;) {
      const ok = await request(`${origin}/health`).then(
        async (res) => {
          await res.body.dump();
          return res.statusCode === 200;
        },
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the direct stand-in never answered /health');
      await pause(2);
    }
    const sent = epochMs();
    const firstBytes = await Promise.all(
      Array.from({ length: waiting }, () => firstByteAt(origin, 'mlx-community/direct-4bit')),
    );
    const res = await request(`${origin}/v1/standin/stats`);
    const stats = (await res.body.json()) as { firstHealthAt: number | null };
    return coldStartFigures('direct', waiting, firstBytes, stats.firstHealthAt ?? sent, sent);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
