import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { GatewayError } from '@mlx-gateway/shared';
import { clientFormatFor } from '../forwarding/client-format.js';
import type { AppEnv } from '../http/app-env.js';

/** An error answer in the format of the API the caller speaks (chosen by the path: `/v1/messages*` is Anthropic's). */
export function authErrorResponse(c: Context<AppEnv>, err: GatewayError): Response {
  const record = c.get('record');
  record.error = err.code;
  const format = clientFormatFor(c.req.path);
  for (const [name, value] of Object.entries(format.headers(record.reqId))) c.header(name, value);
  return c.json(format.errorBody(err, record.reqId), err.status as ContentfulStatusCode);
}
