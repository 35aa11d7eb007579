/**
 * How the socket code reports something an operator should know about but that is no error of
 * the caller (a malformed message, a failed handler, a lost connection). The protocol package
 * does not log by itself; pass e.g. `(message, details) => logger.warn(details, message)`.
 */
export type WarningHandler = (message: string, details?: Record<string, unknown>) => void;

export const ignoreWarning: WarningHandler = () => {};
