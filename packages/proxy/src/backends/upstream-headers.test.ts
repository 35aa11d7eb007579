import { describe, expect, it } from 'vitest';
import { upstreamHeaders } from './upstream-headers.js';

describe('upstreamHeaders', () => {
  it("never passes on the client's credentials", () => {
    const key = 'mgw-client-key-that-belongs-to-the-gateway';
    const headers = upstreamHeaders(
      {
        authorization: `Bearer ${key}`,
        'x-api-key': key,
        'api-key': key,
        'proxy-authorization': `Basic ${key}`,
        cookie: `session=${key}`,
        'user-agent': 'sdk/1.0',
        accept: 'application/json',
      },
      'req-1',
    );
    expect(headers).toEqual({
      accept: 'application/json',
      'user-agent': 'sdk/1.0',
      'content-type': 'application/json',
      'x-request-id': 'req-1',
    });
    expect(JSON.stringify(headers)).not.toContain(key);
  });

  it("sends the gateway's own upstream key instead", () => {
    const headers = upstreamHeaders({ authorization: 'Bearer mgw-client' }, 'req-2', {
      authorization: 'Bearer sk-gateway-own-key-0123456789',
    });
    expect(headers['authorization']).toBe('Bearer sk-gateway-own-key-0123456789');
  });
});
