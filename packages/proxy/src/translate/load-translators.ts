import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type * as TranslatorsModule from './translators.js';

/** The translators module (translators.ts), once loaded. */
export type Translators = typeof TranslatorsModule;

let loaded: Translators | undefined;
let loading: Promise<Translators> | undefined;

/**
 * The translators when a request already loaded them, else undefined. A caller that gets them
 * here translates synchronously: only the first translated request waits for the load.
 */
export function loadedTranslators(): Translators | undefined {
  return loaded;
}

/**
 * Loads the translators, once (issue 17: a gateway whose clients all speak their upstream's API
 * never loads them). A failed load is not remembered, so the next request tries again; it
 * rejects with an internal GatewayError, which the caller answers in its client's format.
 */
export function loadTranslators(): Promise<Translators> {
  loading ??= import('./translators.js').then(
    (module) => (loaded = module),
    (err: unknown) => {
      loading = undefined;
      throw new GatewayError(
        ErrorCodes.INTERNAL,
        'the gateway could not load its API translators',
        {
          cause: err,
        },
      );
    },
  );
  return loading;
}
