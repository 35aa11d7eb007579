import type { HttpBindings } from '@hono/node-server';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { RequestRecord } from '../logging/request-record.js';

/** The Hono environment of the proxy app: Node's request/response and the request record. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    record: RequestRecord;
    /** Who presented a valid client key (absent when the gateway has no client keys). */
    client?: ClientIdentity;
  };
}
