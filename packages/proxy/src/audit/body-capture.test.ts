import { describe, expect, it } from 'vitest';
import { BodyCapture, CapturePolicy } from './body-capture.js';

describe('BodyCapture', () => {
  it('cuts each body at the limit and says so', () => {
    const capture = new BodyCapture(10);
    capture.requestBody('0123456');
    capture.requestBody('789abcdef');
    capture.responseBody('short');
    expect(capture.result()).toEqual({ request: '0123456789', response: 'short', truncated: true });
  });

  it('scrubs key-shaped strings with the shared scrubber', () => {
    const capture = new BodyCapture(4096);
    capture.requestBody('{"note":"my key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz"}');
    const { request } = capture.result();
    expect(request).not.toContain('abcdefghijklmnop');
    expect(request).toContain('[redacted]');
  });

  it('copies what it keeps: a reused buffer does not change the capture', () => {
    const capture = new BodyCapture(100);
    const buf = Buffer.from('first');
    capture.responseBody(buf);
    buf.write('XXXXX');
    expect(capture.result().response).toBe('first');
  });

  it('is off while no model and no client is listed', () => {
    const policy = new CapturePolicy({ models: [], clients: [], maxBytes: 100 });
    expect(policy.enabled).toBe(false);
    expect(policy.captureFor('any', 'any')).toBeUndefined();
  });
});
