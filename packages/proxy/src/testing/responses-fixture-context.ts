import type { ResponseContext } from '../translate/responses/response-shell.js';
import type { ResponsesRequest } from '../translate/responses/types.js';

/** A response context as fixtures write it: namespaces as an object. */
export interface FixtureContext {
  id: string;
  model: string;
  createdAt: number;
  request: ResponsesRequest;
  namespaces?: Record<string, string>;
}

/** The context of a fixture, with item ids from a counter (`msg_1`, `fc_2`, ...). */
export function contextOf(fixture: FixtureContext): ResponseContext {
  let next = 0;
  return {
    id: fixture.id,
    model: fixture.model,
    createdAt: fixture.createdAt,
    request: fixture.request,
    namespaces: new Map(Object.entries(fixture.namespaces ?? {})),
    itemId: (prefix) => `${prefix}_${++next}`,
  };
}
