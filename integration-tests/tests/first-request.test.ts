import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  Cleanup,
  cliMain,
  freePort,
  portRanges,
  isAlive,
  registeredChildren,
  standinModel,
  startCount,
  startProxyProcess,
  startSupervisor,
  tempHome,
  writeConfig,
} from '../support/processes.js';
import { postJson, postStream } from '../support/http.js';

const cleanup = new Cleanup();
let home = '';
afterEach(async () => {
  await cleanup.run(registeredChildren(home).map((c) => c.pid));
});

async function gateway(modelEnv: Record<string, string | number> = { MLX_STANDIN_LOAD_MS: 400 }) {
  home = tempHome();
  cleanup.dir(home);
  const port = await freePort();
  writeConfig(
    home,
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('tiny', modelEnv, '    aliases: [tiny-alias]\n')}`,
  );
  const supervisor = await startSupervisor(home);
  cleanup.group(supervisor.pid);
  const proxy = await startProxyProcess(home);
  cleanup.group(proxy.pid);
  return { supervisor, proxy, url: proxy.url };
}

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello gateway world' }],
  max_tokens: 5,
  ...extra,
});

describe('the first request, end to end', () => {
  it('cold request: the model server is spawned once, answers after it is ready, and is reused', async () => {
    const { url } = await gateway();
    const first = await postJson(`${url}/v1/chat/completions`, chat('tiny'));
    expect(first.status).toBe(200);
    expect(first.body.choices[0].message.content).toContain('hello');
    expect(startCount(home, 'tiny')).toBe(1);

    const stream = await postStream(
      `${url}/v1/chat/completions`,
      chat('tiny-alias', { stream: true }),
    );
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    expect(stream.events.at(-1)).toBe('[DONE]');
    const text = stream.events
      .slice(0, -1)
      .map((e) => JSON.parse(e).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toContain('hello');
    expect(startCount(home, 'tiny')).toBe(1);
  });

  it('a cold streaming request waits for the load and streams', async () => {
    const { url } = await gateway();
    const stream = await postStream(`${url}/v1/chat/completions`, chat('tiny', { stream: true }));
    expect(stream.status).toBe(200);
    expect(stream.events.at(-1)).toBe('[DONE]');
    expect(startCount(home, 'tiny')).toBe(1);
  });

  it('20 concurrent requests to an unloaded model: exactly one spawn, 20 successes', async () => {
    const { url } = await gateway({ MLX_STANDIN_LOAD_MS: 1000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postJson(`${url}/v1/chat/completions`, chat('tiny', { stream: i % 2 === 0 })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(startCount(home, 'tiny')).toBe(1);
    expect(registeredChildren(home)).toHaveLength(1);
  });

  it('the proxy is killed with SIGKILL and started again: the model server keeps its pid and serves', async () => {
    const { url, proxy } = await gateway();
    expect((await postJson(`${url}/v1/chat/completions`, chat('tiny'))).status).toBe(200);
    const [child] = registeredChildren(home);
    expect(child).toBeDefined();

    process.kill(proxy.pid, 'SIGKILL');
    await proxy.exited;
    const again = await startProxyProcess(home);
    cleanup.group(again.pid);
    const res = await postJson(`${again.url}/v1/chat/completions`, chat('tiny'));
    expect(res.status).toBe(200);
    expect(registeredChildren(home)).toEqual([child]);
    expect(isAlive(child!.pid)).toBe(true);
    expect(startCount(home, 'tiny')).toBe(1);
  });

  it('`mlx-gateway status` shows the model as ready with its pid and port', async () => {
    const { url } = await gateway();
    expect((await postJson(`${url}/v1/chat/completions`, chat('tiny'))).status).toBe(200);
    const [child] = registeredChildren(home);
    const out = execFileSync(process.execPath, [cliMain, 'status'], {
      env: { ...process.env, MLX_GATEWAY_HOME: home },
      encoding: 'utf8',
    });
    const row = out.split('\n').find((l) => l.startsWith('tiny'));
    expect(row).toBeDefined();
    expect(row!.split(/\s+/).slice(0, 5)).toEqual([
      'tiny',
      'ready',
      'gateway',
      String(child!.pid),
      String(child!.port),
    ]);
  });
});
