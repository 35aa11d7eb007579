import { get } from 'node:http';
import { connect } from 'node:net';

/**
 * One readiness or liveness probe: true only for a 2xx answer within the timeout. node:http
 * with no agent (a fresh connection, closed after the answer): a probe every few seconds needs
 * no pool, and the supervisor then loads no HTTP client library (issue 17: each one costs it
 * megabytes of resident memory).
 */
export function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(ok);
    };
    const req = get(url, { agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.once('end', () => done(status >= 200 && status < 300));
      res.once('error', () => done(false));
    });
    req.once('error', () => done(false));
    const timer = setTimeout(() => done(false), timeoutMs);
  });
}

/**
 * Whether something accepts TCP connections on a loopback port. A refused connect on loopback
 * costs one syscall and no HTTP parsing, so it can be repeated every few milliseconds while a
 * model loads for minutes (mlx-openai-server opens its port only once the model is loaded).
 */
export function portAccepts(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A readiness check: whether the port accepts connections and, if so, whether /health is 2xx. */
export interface ProbeOutcome {
  ok: boolean;
  listening: boolean;
}

/** The cheap check first; the HTTP probe only once the port is open (right away, same call). */
export async function probeReadiness(
  port: number,
  path: string,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  if (!(await portAccepts(port, timeoutMs))) return { ok: false, listening: false };
  return { ok: await probeHealth(`http://127.0.0.1:${port}${path}`, timeoutMs), listening: true };
}
