// The floor of what a Node.js proxy costs: a node:http server and one undici Pool, piping the
// request body up and the response body down, nothing else (no parsing, routing or logging).
//
//   node integration-tests/dist/bench/minimal-proxy.js <upstream origin>
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2] ?? 'http://127.0.0.1:1', { connections: 64 });
const server = createServer((req, res) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  pool.stream(
    { path: req.url ?? '/', method: 'POST', headers, body: req },
    ({ statusCode, headers: upstream }) => {
      res.writeHead(statusCode, { 'content-type': String(upstream['content-type']) });
      return res;
    },
    (err) => {
      if (err) res.destroy(err);
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`minimal proxy listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
