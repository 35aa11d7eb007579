import type { ProxyLogger } from '@mlx-gateway/proxy';

/** A proxy logger that writes nothing: for the bench's in-process proxies. */
export const silentLogger: ProxyLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
