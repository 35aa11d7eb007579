export { createLogger } from './create-logger.js';
export { prettyLogLine } from './pretty-log.js';
export type { CreateLoggerOptions, Logger } from './create-logger.js';
