export * from './paths.js';
export type * from './config/types.js';
