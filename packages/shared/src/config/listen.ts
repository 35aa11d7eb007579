import { z } from 'zod';
import { issue, MAX_PORT } from './schema-fields.js';
import type { GatewayConfig } from './types.js';

export interface ListenAddress {
  host?: string;
  port?: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]*)):(\d+)$/;
const HOST = /^(?:\[?[0-9A-Fa-f:.]+\]?|[A-Za-z0-9.-]+)$/;

const HINT = 'expected host:port like "127.0.0.1:8080", a port, or { host, port }';

function validPort(port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 0 && (port as number) <= MAX_PORT;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Where the proxy listens: `"127.0.0.1:8080"`, `"[::1]:8080"`, `":8080"`, `8080`, or
 * `{ host, port }`. Port 0 lets the OS choose. A host that is not loopback is accepted here;
 * the rule that it then needs authentication is enforced where the server starts.
 */
export function listenField() {
  return z.unknown().transform((value, ctx): ListenAddress => {
    if (typeof value === 'number') {
      if (validPort(value)) return { port: value };
      issue(ctx, `the port must be within 0-${MAX_PORT}`, value);
      return z.NEVER;
    }
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (/^\d+$/.test(trimmed)) {
        if (validPort(Number(trimmed))) return { port: Number(trimmed) };
        issue(ctx, `the port must be within 0-${MAX_PORT}`, value);
        return z.NEVER;
      }
      if (/^[a-z]+:\/\//i.test(trimmed)) {
        issue(ctx, `${HINT}, without a scheme`, value);
        return z.NEVER;
      }
      const match = HOST_PORT.exec(trimmed);
      const port = Number(match?.[3]);
      if (!match || !validPort(port)) {
        issue(ctx, HINT, value);
        return z.NEVER;
      }
      const host = match[1] ?? match[2];
      return host ? { host, port } : { port };
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { host, port, ...rest } = value as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) {
        for (const key of extra) {
          issue(ctx, 'unknown key (known keys: host, port)', undefined, {
            path: [key],
            params: { got: false },
          });
        }
        return z.NEVER;
      }
      const out: ListenAddress = {};
      if (host !== undefined) {
        if (typeof host !== 'string' || !HOST.test(host)) {
          issue(ctx, 'expected a host name or IP address', host, { path: ['host'] });
          return z.NEVER;
        }
        out.host = unbracket(host);
      }
      if (port !== undefined) {
        if (!validPort(port)) {
          issue(ctx, `expected a port within 0-${MAX_PORT}`, port, { path: ['port'] });
          return z.NEVER;
        }
        out.port = port;
      }
      return out;
    }
    issue(ctx, HINT, value);
    return z.NEVER;
  });
}

/**
 * The config with the proxy's address replaced by a `--listen` value (the forms of `listen:`),
 * for a further proxy of the same gateway; a clear error for anything else.
 */
export function withListenAddress(config: GatewayConfig, listen: string): GatewayConfig {
  const parsed = listenField().safeParse(listen);
  if (!parsed.success) {
    throw new Error(`--listen ${listen}: ${parsed.error.issues[0]?.message ?? HINT}`);
  }
  const { host, port } = parsed.data;
  return {
    ...config,
    proxy: {
      ...config.proxy,
      ...(host === undefined || host === '' ? {} : { host }),
      ...(port === undefined ? {} : { port }),
    },
  };
}
