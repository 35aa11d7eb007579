/**
 * The part of a pino logger the proxy uses. `createLogger` from @mlx-gateway/shared returns
 * one (with secret redaction); tests pass a recorder.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
}

export interface ProxyLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): ProxyLogger;
}

const ignore: LogFn = () => {};

export const silentLogger: ProxyLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};
