import type { GatewayError } from '@mlx-gateway/shared/errors';

/** What a stream translation produced for some upstream bytes. */
export interface StreamStep {
  /** Client frames to write now, whole events only ('' when none is complete yet). */
  frames: string;
  /** The translated response is complete: end it after writing `frames`. */
  done?: boolean;
  /**
   * The translation failed and `frames` already ends with the client's error event: end the
   * response after writing them; nothing more may be written.
   */
  failed?: GatewayError;
}

/** Translates one upstream SSE body, chunk by chunk, into the client's SSE format. */
export interface StreamTransform {
  push(chunk: Buffer): StreamStep;
  /** The upstream body ended (normally or not: the transform decides if that is complete). */
  end(): StreamStep;
}

/**
 * How the successful (2xx) response of an upstream in another API format becomes the client's.
 * Error statuses are not translated: they become GatewayErrors, which the exchange answers in
 * the client's format.
 */
export interface ResponseTransform {
  /** The client body (JSON) for a complete non-streamed upstream body; throws GatewayError. */
  body(upstream: Buffer): string;
  /** A fresh translation for one streamed response. */
  stream(): StreamTransform;
}
