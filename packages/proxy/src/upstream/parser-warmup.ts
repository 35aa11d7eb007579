import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { Client } from '@mlx-gateway/shared/undici';

/**
 * Compiles undici's HTTP parser (llhttp, a WebAssembly module) once, when a proxy process
 * starts, with V8's optimising compiler only (`--no-liftoff`), by one chunked response from a
 * loopback server of its own.
 *
 * Left to V8's defaults, the parser starts in the baseline compiler and is optimised in the
 * background once it is hot, after the first requests: that compilation allocates ~37 MB of
 * short-lived memory while the proxy runs, which the C allocator keeps in pieces between
 * longer-lived allocations: the idle proxy held 9–17 MB of C heap, a different amount each run.
 * Compiled here, before anything else runs, the same memory is returned at once (6–8 MB of C
 * heap, 4–9 MB less resident). Baseline code only (`--liftoff-only`) would save the same, but
 * the parser in baseline code costs ~24 µs of CPU per streamed answer (docs/benchmarks.md,
 * "Idle memory"). The compilation takes ~100 ms here instead of during a first request.
 *
 * For the proxy's process entry points only (`mlx-gateway up`, `mlx-gateway proxy`, the proxy's
 * main), not `startProxy` (tests run many proxies in one process): the flag is the process's.
 * A failure is not fatal: the parser is then compiled on first use.
 */
export async function compileUpstreamParser(): Promise<void> {
  setFlagsFromString('--no-liftoff');
  const server = createServer((_req, res) => {
    // Chunked, in two pieces: the parser's paths for a streamed answer are compiled too.
    res.write('{"warm":');
    res.end('true}');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const res = await client.request({ path: '/', method: 'GET' });
      await res.body.dump();
    } finally {
      await client.close();
    }
  } catch {
    // Compiled on first use instead.
  } finally {
    server.close();
  }
}
