import type { ModelInfo } from '@mlx-gateway/protocol';
import { pingSupervisor, waitUntilGone } from '../supervisor-process.js';
import { call, configFor, NoSupervisorError, type GlobalOptions } from './control.js';

const describe = (m: ModelInfo): string =>
  `${m.name} (${[m.pid !== undefined ? `pid ${m.pid}` : '', m.port !== undefined ? `port ${m.port}` : ''].filter(Boolean).join(', ')})`;

/**
 * `mlx-gateway down`: shuts the supervisor down and waits until it is gone. Says what it did:
 * nothing to stop (exit 0), the models it stopped, or with `keepModelsOnExit: true` the models
 * it left running.
 */
export async function down(opts: GlobalOptions): Promise<void> {
  const config = configFor(opts);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const pong = await pingSupervisor(config);
  if (!pong) {
    say(
      `no supervisor is running (nothing answers on ${config.supervisor.controlEndpoint}); nothing to stop`,
    );
    return;
  }
  const { models } = await call(config, { cmd: 'status' });
  const running = models.filter((m) => m.state !== 'stopped' && m.state !== 'failed');
  const keep = config.supervisor.keepModelsOnExit;
  say(
    `stopping the supervisor (pid ${pong.pid})${running.length > 0 && !keep ? ' and its models' : ''}…`,
  );
  try {
    await call(config, { cmd: 'shutdown' });
  } catch (err) {
    // It may close its socket before the answer leaves: what counts is that it goes away.
    if (!(err instanceof NoSupervisorError)) throw err;
  }
  if (!(await waitUntilGone(config, 60_000))) {
    throw new Error(
      `the supervisor (pid ${pong.pid}) still answers after 60s; see its log with \`mlx-gateway logs supervisor\``,
    );
  }
  if (running.length === 0) say('supervisor stopped; no models were running');
  else if (keep)
    say(
      `supervisor stopped; left running (keepModelsOnExit: true): ${running.map(describe).join(', ')}; the next supervisor adopts them`,
    );
  else say(`supervisor stopped with its models: ${running.map((m) => m.name).join(', ')}`);
}
