import { describe, expect, it } from 'vitest';
import { ProtocolError } from './error-codes.js';
import { toErrorPayload } from './error-payload.js';

class ModelError extends ProtocolError {}

describe('toErrorPayload', () => {
  it('passes a ProtocolError through with its code, message and details', () => {
    const error = new ProtocolError('MODEL_NOT_FOUND', "model 'x' is not configured", {
      model: 'x',
    });
    expect(toErrorPayload(error)).toEqual({
      coded: true,
      payload: {
        code: 'MODEL_NOT_FOUND',
        message: "model 'x' is not configured",
        details: { model: 'x' },
      },
    });
  });

  it('passes a subclass through', () => {
    const { payload } = toErrorPayload(new ModelError('MODEL_START_FAILED', 'exited with code 1'));
    expect(payload).toEqual({ code: 'MODEL_START_FAILED', message: 'exited with code 1' });
  });

  it('turns a plain Error into INTERNAL without its message or stack', () => {
    const { payload, coded } = toErrorPayload(new Error('db password hunter2 at /srv/x.js:1'));
    expect(coded).toBe(false);
    expect(payload.code).toBe('INTERNAL');
    expect(JSON.stringify(payload)).not.toMatch(/hunter2|x\.js/);
  });

  it('turns a Node system error into INTERNAL', () => {
    const error = Object.assign(new Error('ENOENT: no such file /home/me/secret'), {
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
    });
    expect(toErrorPayload(error).payload.code).toBe('INTERNAL');
    const internal = Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(toErrorPayload(internal).payload.code).toBe('INTERNAL');
  });

  it('turns thrown non-errors into INTERNAL', () => {
    expect(toErrorPayload('boom').payload.code).toBe('INTERNAL');
    expect(toErrorPayload({ code: 'MODEL_NOT_FOUND' }).payload.code).toBe('INTERNAL');
  });

  it('drops details that cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { payload } = toErrorPayload(new ProtocolError('MODEL_BACKOFF', 'wait', cyclic));
    expect(payload).toEqual({ code: 'MODEL_BACKOFF', message: 'wait' });
  });
});
