/**
 * ZeroMQ endpoints of the supervisor: `ipc:///absolute/path.sock` (default, in the private run
 * directory) or `tcp://host:port`.
 */

/** macOS limits a Unix socket path to 104 bytes including the final NUL (Linux: 108). */
export const MAX_IPC_PATH_BYTES = 103;

export type EndpointResult = { endpoint: string } | { error: string };

const TCP = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d+)$/;

export function ipcPathProblem(path: string): string | undefined {
  const size = Buffer.byteLength(path);
  if (size <= MAX_IPC_PATH_BYTES) return undefined;
  return `the socket path is ${size} bytes, over the ${MAX_IPC_PATH_BYTES}-byte limit of Unix socket paths`;
}

/** Checks an endpoint and expands a leading `~/` in an ipc path. */
export function compileEndpoint(
  text: string,
  expandHome: (path: string) => string,
): EndpointResult {
  const value = text.trim();
  if (value.startsWith('ipc://')) {
    const path = expandHome(value.slice('ipc://'.length));
    if (!path.startsWith('/'))
      return { error: 'expected an absolute path after ipc://, like "ipc:///tmp/gw/control.sock"' };
    const tooLong = ipcPathProblem(path);
    return tooLong ? { error: `${tooLong}; choose a shorter path` } : { endpoint: `ipc://${path}` };
  }
  const tcp = TCP.exec(value);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port >= 1 && port <= 65535) return { endpoint: value };
  }
  return { error: 'expected "ipc:///path/to.sock" or "tcp://host:port"' };
}
