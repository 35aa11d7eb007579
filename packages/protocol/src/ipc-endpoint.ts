import { lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { ProtocolError } from './error-codes.js';

/**
 * Code of the error thrown when binding an endpoint that a live process holds (a second
 * supervisor, say). A start-up failure of the binding process, it never crosses a socket or
 * HTTP, so it is not one of the shared ErrorCodes.
 */
export const ENDPOINT_IN_USE = 'ENDPOINT_IN_USE';

/** Identity of the socket file a server bound, so that it removes only its own file. */
export interface IpcFileId {
  path: string;
  dev: number;
  ino: number;
}

/** The file path of an `ipc://` endpoint; undefined for other transports and abstract sockets. */
export function ipcPath(endpoint: string): string | undefined {
  if (!endpoint.startsWith('ipc://')) return undefined;
  const path = endpoint.slice('ipc://'.length);
  if (path === '' || path === '*' || path.startsWith('@')) return undefined;
  return path;
}

/**
 * Before binding an `ipc://` endpoint: removes a stale socket file left by a process that died,
 * and refuses (ENDPOINT_IN_USE) when a live process still listens on it. libzmq itself would
 * silently unlink the file of a live server and take its place.
 */
export async function prepareIpcEndpoint(endpoint: string): Promise<void> {
  const path = ipcPath(endpoint);
  if (path === undefined) return;
  const stats = await lstat(path).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (stats === undefined) return;
  if (!stats.isSocket()) {
    throw new ProtocolError(
      ENDPOINT_IN_USE,
      `${path} exists and is not a socket; refusing to replace it (remove it or choose another endpoint)`,
      { endpoint },
    );
  }
  const probe = await probeUnixSocket(path);
  if (probe !== 'stale') {
    throw new ProtocolError(
      ENDPOINT_IN_USE,
      `another process is listening on ${endpoint} (is a supervisor already running?)`,
      { endpoint, probe },
    );
  }
  await unlink(path).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw error;
  });
}

/** Records which file a bind created. */
export async function ipcFileId(endpoint: string): Promise<IpcFileId | undefined> {
  const path = ipcPath(endpoint);
  if (path === undefined) return undefined;
  const stats = await lstat(path).catch(() => undefined);
  return stats === undefined ? undefined : { path, dev: stats.dev, ino: stats.ino };
}

/** Removes the socket file after unbinding, unless another process has replaced it meanwhile. */
export async function removeIpcFile(id: IpcFileId | undefined): Promise<void> {
  if (id === undefined) return;
  const stats = await lstat(id.path).catch(() => undefined);
  if (stats === undefined || stats.dev !== id.dev || stats.ino !== id.ino) return;
  await unlink(id.path).catch(() => undefined);
}

/** 'stale' when nothing accepts connections on the file; 'live' or an error code otherwise. */
function probeUnixSocket(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ path });
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('no answer'), 1000);
    socket.once('connect', () => done('live'));
    socket.once('error', (error) => {
      const code = errorCode(error);
      done(code === 'ECONNREFUSED' || code === 'ENOENT' ? 'stale' : (code ?? 'error'));
    });
  });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}
