/**
 * The part of a pino logger the proxy uses. `createLogger` from @mlx-gateway/shared returns
 * one (with secret redaction); tests pass a recorder.
 */
export interface LogFn {
  (obj: object, msg?: string): void;
}

/** Flat primitive fields of a line written by `logPrimitives`. */
export type PrimitiveFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ProxyLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): ProxyLogger;
  /**
   * The cheap line of the shared logger, for the request line: flat primitive fields, each
   * string scrubbed of key-shaped text, without the deep copy and path redaction that every
   * other call pays for. Loggers without it (test recorders) get `info`/`warn` instead.
   */
  logPrimitives?(
    level: 'info' | 'warn',
    fields: PrimitiveFields,
    msg: string,
    cleanKeys?: ReadonlySet<string>,
  ): void;
}

const ignore: LogFn = () => {};

export const silentLogger: ProxyLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};
