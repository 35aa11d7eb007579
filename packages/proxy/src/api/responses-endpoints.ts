import type { ApiEndpoint } from './api-endpoint.js';
import { readResponsesRequest } from './responses-request.js';

/** The Responses API's create operation; the OpenAI backend takes it on its `/responses` path. */
export const responsesEndpoint: ApiEndpoint = {
  path: '/v1/responses',
  upstreamPath: '/responses',
  capability: 'chat',
  read: readResponsesRequest,
};

/** GET and DELETE of one stored response. */
export const RESPONSE_BY_ID_PATH = '/v1/responses/:id';
