import { Writable } from 'node:stream';
import { createLogger } from '@mlx-gateway/shared/logging';
import { describe, expect, it } from 'vitest';
import type { ProxyLogger } from './logger.js';
import { logRequest, newRequestRecord } from './request-record.js';

const OPENAI = 'sk-proj-Pl4nt3dOpenAIKey0123456789abcdef';
const ANTHROPIC = 'sk-ant-api03-Pl4nt3dAnthropicKey-0123456789';
const CLIENT = 'mgw-Pl4nt3dClientKey_0123456789abcdefghijk';

function realLogger(): { logger: ProxyLogger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ name: 'proxy', destination: stream }) as unknown as ProxyLogger;
  return { logger, text: () => chunks.join('') };
}

describe('logRequest', () => {
  it('takes the shared logger’s cheap path and scrubs keys planted in the model name, path and error', () => {
    const { logger, text } = realLogger();
    expect(logger.logPrimitives).toBeTypeOf('function');
    const record = newRequestRecord('req-1', 'POST', `/v1/chat/completions/${CLIENT}`, 100);
    Object.assign(record, {
      model: `my-model ${OPENAI}`,
      target: 'local-qwen',
      status: 502,
      error: `upstream_error x-api-key: ${ANTHROPIC}`,
      complete: false,
    });
    logRequest(logger, record, 112.345);
    const out = text();
    for (const planted of [OPENAI, ANTHROPIC, CLIENT]) expect(out).not.toContain(planted);
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      msg: 'request',
      reqId: 'req-1',
      method: 'POST',
      target: 'local-qwen',
      status: 502,
      durationMs: 12.35,
      complete: false,
      model: 'my-model [redacted]',
    });
  });

  it('writes through info or warn on a logger without the cheap path', () => {
    const calls: Array<[string, object, string | undefined]> = [];
    const recorder: ProxyLogger = {
      debug: (obj, msg) => calls.push(['debug', obj, msg]),
      info: (obj, msg) => calls.push(['info', obj, msg]),
      warn: (obj, msg) => calls.push(['warn', obj, msg]),
      error: (obj, msg) => calls.push(['error', obj, msg]),
      child: () => recorder,
    };
    const record = newRequestRecord('req-2', 'GET', '/v1/models', 0);
    record.status = 200;
    logRequest(recorder, record, 1);
    expect(calls).toEqual([
      ['info', expect.objectContaining({ reqId: 'req-2', status: 200 }), 'request'],
    ]);
  });
});
