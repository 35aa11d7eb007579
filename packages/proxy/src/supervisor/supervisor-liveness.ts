import net from 'node:net';

/**
 * What a local check says about the supervisor while the control connection is down:
 * 'gone' when nothing can be listening (no socket file, or a file nobody accepts on: a killed
 * supervisor leaves one behind), 'maybe' otherwise (a live socket that ZeroMQ has not
 * reconnected to yet, a TCP endpoint, an abstract socket): then it is worth waiting.
 */
export type Liveness = 'gone' | 'maybe';

/** The file of an `ipc://` endpoint; undefined for TCP and abstract sockets (nothing to check). */
function socketFile(endpoint: string): string | undefined {
  if (!endpoint.startsWith('ipc://')) return undefined;
  const path = endpoint.slice('ipc://'.length);
  return path === '' || path.startsWith('@') ? undefined : path;
}

/** How long a connect to a local socket file may take before the answer is 'maybe'. */
const PROBE_MS = 200;

/**
 * Checks the control endpoint's socket file with a plain connect: ENOENT (a supervisor shut
 * down removes its file) and ECONNREFUSED (a killed one's file stays) both mean that nobody
 * will answer, whatever the control timeout. A connect to a Unix socket answers in
 * microseconds, so a request for a local model learns it at once instead of waiting seconds.
 */
export function probeControlEndpoint(endpoint: string): Promise<Liveness> {
  const path = socketFile(endpoint);
  if (path === undefined) return Promise.resolve('maybe');
  return new Promise((resolve) => {
    const socket = net.connect({ path });
    const done = (result: Liveness): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('maybe'), PROBE_MS);
    socket.once('connect', () => done('maybe'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'gone' : 'maybe'),
    );
  });
}
