import type * as zmq from 'zeromq';
import { applyCurveServer } from './curve.js';
import type { CurveServerOptions } from './curve.js';
import { ipcFileId, prepareIpcEndpoint, removeIpcFile } from './ipc-endpoint.js';
import type { IpcFileId } from './ipc-endpoint.js';

/** A server socket bound to its endpoint, with the socket file it created (ipc only). */
export interface BoundSocket<S extends zmq.Socket> {
  socket: S;
  /** The endpoint actually bound (with the real port for `tcp://...:*`). */
  endpoint: string;
  file: IpcFileId | undefined;
}

/**
 * Binds a new server socket: refuses an ipc endpoint a live process holds (ENDPOINT_IN_USE),
 * makes the socket a CURVE server when asked, and closes it again if the bind fails.
 */
export async function bindServerSocket<S extends zmq.Socket>(
  create: () => S,
  endpoint: string,
  curve: CurveServerOptions | undefined,
): Promise<BoundSocket<S>> {
  await prepareIpcEndpoint(endpoint);
  const socket = create();
  try {
    if (curve !== undefined) applyCurveServer(socket, curve);
    await socket.bind(endpoint);
  } catch (error) {
    socket.close();
    throw error;
  }
  const bound = socket.lastEndpoint ?? endpoint;
  return { socket, endpoint: bound, file: await ipcFileId(bound) };
}

/** Closes a bound socket and removes its ipc file (unless another process has replaced it). */
export async function closeBoundSocket(bound: BoundSocket<zmq.Socket>): Promise<void> {
  // Not `unbind` first: zeromq.js unbinds on a worker thread, racing the poller of a pending
  // receive on the same libzmq socket (a native crash). libzmq releases the listener shortly
  // after close; removing our socket file at once lets a new server bind the path meanwhile.
  bound.socket.close();
  await removeIpcFile(bound.file);
}
