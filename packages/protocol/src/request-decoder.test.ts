import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from './messages.js';
import { decodeRequest } from './request-decoder.js';

const frame = (value: unknown): Buffer[] => [Buffer.from(JSON.stringify(value))];

describe('decodeRequest', () => {
  it('decodes a valid request', () => {
    const decoded = decodeRequest(
      frame({ v: PROTOCOL_VERSION, id: 'r1', body: { cmd: 'ensure', model: 'qwen' } }),
    );
    expect(decoded).toEqual({ ok: true, id: 'r1', command: { cmd: 'ensure', model: 'qwen' } });
  });

  it('answers BAD_MESSAGE without an id to text that is not JSON', () => {
    const decoded = decodeRequest([Buffer.from('{not json')]);
    expect(decoded).toMatchObject({ ok: false, id: '', error: { code: 'BAD_MESSAGE' } });
  });

  it('answers BAD_MESSAGE to a message of several frames', () => {
    const decoded = decodeRequest([Buffer.from('{}'), Buffer.from('{}')]);
    expect(decoded).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  });

  it('answers UNSUPPORTED_VERSION naming the supported version, echoing the id', () => {
    const decoded = decodeRequest(frame({ v: 99, id: 'r2', body: { cmd: 'ping' } }));
    expect(decoded).toMatchObject({
      ok: false,
      id: 'r2',
      error: {
        code: 'UNSUPPORTED_VERSION',
        details: { supported: PROTOCOL_VERSION, received: 99 },
      },
    });
    if (!decoded.ok) expect(decoded.error.message).toContain(`version ${PROTOCOL_VERSION}`);
  });

  it('answers BAD_MESSAGE to an envelope without a version', () => {
    const decoded = decodeRequest(frame({ id: 'r3', body: { cmd: 'ping' } }));
    expect(decoded).toMatchObject({ ok: false, id: 'r3', error: { code: 'BAD_MESSAGE' } });
    if (!decoded.ok) expect(decoded.error.message).toContain('v:');
  });

  it('names an unknown command and lists the known ones', () => {
    const decoded = decodeRequest(
      frame({ v: PROTOCOL_VERSION, id: 'r4', body: { cmd: 'explode' } }),
    );
    expect(decoded).toMatchObject({ ok: false, id: 'r4', error: { code: 'BAD_MESSAGE' } });
    if (!decoded.ok) {
      expect(decoded.error.message).toContain("'explode'");
      expect(decoded.error.message).toContain('ensure');
    }
  });

  it('reports the zod path of a bad field', () => {
    const decoded = decodeRequest(
      frame({ v: PROTOCOL_VERSION, id: 'r5', body: { cmd: 'logs', model: 'qwen', lines: -3 } }),
    );
    expect(decoded).toMatchObject({
      ok: false,
      id: 'r5',
      error: { code: 'BAD_MESSAGE', details: { issues: [{ path: 'body.lines' }] } },
    });
    if (!decoded.ok) expect(decoded.error.message).toContain('body.lines');
  });

  it('reports a missing field', () => {
    const decoded = decodeRequest(frame({ v: PROTOCOL_VERSION, id: 'r6', body: { cmd: 'stop' } }));
    expect(decoded).toMatchObject({
      ok: false,
      error: { code: 'BAD_MESSAGE', details: { issues: [{ path: 'body.model' }] } },
    });
  });
});
