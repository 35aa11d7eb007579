// The gateway proxy serving two ways in one process, for `ab-main.js`: the same-process A/B of a
// feature (what it costs per request, without the noise of comparing two processes).
//
//   node integration-tests/dist/bench/ab-gateway-main.js audit <config A> <config B>
//   node integration-tests/dist/bench/ab-gateway-main.js scrub <config>
//
// audit: two proxies in this process, A with the audit log and the metrics on (the default),
// B with both off; the load alternates between their ports. scrub: one proxy; phase A holds
// the upstream key in the secret registry (every relayed byte is scrubbed), phase B does not
// (the gateway relays as it does for a user without keys). A control server answers
// `GET /phase?p=A|B` (switches, for scrub) and `GET /cpu`, both with this process's CPU time
// in µs: the two proxies share one runtime, one heap and one JIT, so what differs between the
// phases is the feature alone.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy } from '@mlx-gateway/proxy';
import { loadConfig } from '@mlx-gateway/shared/config';
import { forgetSecret, registerSecret } from '@mlx-gateway/shared/security';
import { BENCH_UPSTREAM_KEY } from './bench-gateway.js';
import { silentLogger } from './silent-logger.js';

const [feature, fileA, fileB] = process.argv.slice(2);
if ((feature !== 'audit' && feature !== 'scrub') || fileA === undefined) {
  throw new Error('usage: ab-gateway-main.js audit <config A> <config B> | scrub <config>');
}
// The key reaches the upstream's requests without being registered on its way (the
// registration, and so the scrubbing, is this process's switch); in the audit A/B both
// proxies hold it registered, as a gateway with a key does.
const resolveSecret = (): Promise<string> => Promise.resolve(BENCH_UPSTREAM_KEY);
registerSecret(BENCH_UPSTREAM_KEY);
const a = await startProxy({
  config: loadConfig({ file: fileA }),
  logger: silentLogger,
  resolveSecret,
});
const b =
  feature === 'audit' && fileB !== undefined
    ? await startProxy({ config: loadConfig({ file: fileB }), logger: silentLogger, resolveSecret })
    : a;

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const control = createServer((req, res) => {
  const phase = new URL(req.url ?? '/', 'http://control').searchParams.get('p');
  if (feature === 'scrub' && phase === 'A') registerSecret(BENCH_UPSTREAM_KEY);
  if (feature === 'scrub' && phase === 'B') forgetSecret(BENCH_UPSTREAM_KEY);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ cpuUs: cpuUs() }));
});
control.listen(0, '127.0.0.1', () => {
  const { port } = control.address() as AddressInfo;
  process.stdout.write(`ab gateway A ${a.url} B ${b.url} control http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  control.close();
  void Promise.all([a.close(), b === a ? undefined : b.close()]).finally(() => process.exit(0));
});
