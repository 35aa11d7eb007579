import * as zmq from 'zeromq';
import { ErrorCodes, ProtocolError } from './error-codes.js';

/** A CURVE key pair, each key a 40-character Z85 string. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

/** CURVE settings of a binding (server) socket: its own key pair. */
export type CurveServerOptions = CurveKeyPair;

/** CURVE settings of a connecting (client) socket: the server's public key and its own pair. */
export interface CurveClientOptions extends CurveKeyPair {
  serverPublicKey: string;
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Whether `value` looks like a Z85-encoded 32-byte CURVE key. */
export function isCurveKey(value: unknown): value is string {
  return typeof value === 'string' && Z85_KEY.test(value);
}

/** Whether the installed libzmq supports CURVE. */
export function curveAvailable(): boolean {
  return zmq.capability.curve === true;
}

/**
 * Throws unless the installed libzmq supports CURVE. The code is CONFIG_INVALID: a TCP endpoint
 * was configured that this installation cannot authenticate.
 */
export function requireCurve(): void {
  if (!curveAvailable()) {
    throw new ProtocolError(
      ErrorCodes.CONFIG_INVALID,
      `the installed libzmq ${zmq.version} was built without CURVE support, so a TCP endpoint cannot be authenticated; use an ipc:// endpoint or install a zeromq build with CURVE`,
    );
  }
}

/** A fresh random CURVE key pair (Z85). */
export function generateCurveKeyPair(): CurveKeyPair {
  requireCurve();
  const { publicKey, secretKey } = zmq.curveKeyPair();
  return { publicKey, secretKey };
}

/** Makes `socket` a CURVE server. Call before bind. Never puts a key into an error message. */
export function applyCurveServer(socket: zmq.Socket, options: CurveServerOptions): void {
  requireCurve();
  assertKey('curve.publicKey', options.publicKey);
  assertKey('curve.secretKey', options.secretKey);
  socket.curveServer = true;
  socket.curveSecretKey = options.secretKey;
  socket.curvePublicKey = options.publicKey;
}

/** Makes `socket` a CURVE client of the server with `serverPublicKey`. Call before connect. */
export function applyCurveClient(socket: zmq.Socket, options: CurveClientOptions): void {
  requireCurve();
  assertKey('curve.serverPublicKey', options.serverPublicKey);
  assertKey('curve.publicKey', options.publicKey);
  assertKey('curve.secretKey', options.secretKey);
  socket.curveServerKey = options.serverPublicKey;
  socket.curvePublicKey = options.publicKey;
  socket.curveSecretKey = options.secretKey;
}

function assertKey(name: string, value: unknown): void {
  if (!isCurveKey(value)) {
    throw new ProtocolError(
      ErrorCodes.CONFIG_INVALID,
      `${name} is not a CURVE key: expected 40 Z85 characters (generate a pair with generateCurveKeyPair)`,
    );
  }
}
