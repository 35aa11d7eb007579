import { describe, expect, it } from 'vitest';
import { apiOfPath } from './audit-record.js';
import { apiOfRequest } from './api-names.js';

describe('audit API names', () => {
  it('names every proxied API by its path, the Responses API included', () => {
    expect(apiOfPath('/v1/chat/completions')).toBe('openai.chat');
    expect(apiOfPath('/v1/responses')).toBe('openai.responses');
    expect(apiOfPath('/v1/messages/count_tokens')).toBe('anthropic.count_tokens');
  });

  it("names the web app's routes, by method where a path holds an id", () => {
    expect(apiOfRequest('GET', '/v1/models')).toBe('openai.models');
    expect(apiOfRequest('GET', '/v1/models/org/qwen-7b')).toBe('openai.models.retrieve');
    expect(apiOfRequest('GET', '/v1/gateway/models')).toBe('gateway.models');
    expect(apiOfRequest('GET', '/v1/gateway/events')).toBe('gateway.events');
    expect(apiOfRequest('GET', '/v1/gateway/limits')).toBe('gateway.limits');
    expect(apiOfRequest('GET', '/metrics')).toBe('gateway.metrics');
    expect(apiOfRequest('GET', '/health')).toBe('gateway.health');
    expect(apiOfRequest('GET', '/v1/responses/resp_1')).toBe('openai.responses.retrieve');
    expect(apiOfRequest('DELETE', '/v1/responses/resp_1')).toBe('openai.responses.delete');
    // A proxied path asked with another method (its 405) keeps its API's name.
    expect(apiOfRequest('GET', '/v1/chat/completions')).toBe('openai.chat');
  });

  it('names every other path `unknown`: a client cannot add names (nor metric series)', () => {
    expect(apiOfRequest('GET', '/v1/nothing-here')).toBe('unknown');
    expect(apiOfRequest('POST', '/v1/models/')).toBe('unknown');
    expect(apiOfRequest('GET', '/wp-admin/login.php')).toBe('unknown');
  });
});
