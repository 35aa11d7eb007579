import { ProtocolError } from '@mlx-gateway/protocol';
import type { ErrorCode } from '@mlx-gateway/protocol';
import { httpStatusFor } from './error-table.js';

export interface GatewayErrorOptions {
  /** HTTP status; defaults to the code's status (see httpStatusFor). */
  status?: number;
  details?: Record<string, unknown>;
  /** The request parameter at fault, reported as OpenAI's `param`. */
  param?: string;
  cause?: unknown;
}

/**
 * The base error of the gateway: a stable `code` to branch on, the HTTP status it is answered
 * with, and a message written for the person who reads it (what happened, what to do). Never
 * put a secret or a stack trace in the message.
 */
export class GatewayError extends ProtocolError {
  declare readonly code: ErrorCode;
  readonly status: number;
  readonly param?: string;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(code, message, options.details);
    this.name = 'GatewayError';
    this.status = options.status ?? httpStatusFor(code);
    if (options.param !== undefined) this.param = options.param;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
