export * from './messages.js';
export * from './error-codes.js';
