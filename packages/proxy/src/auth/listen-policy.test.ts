import { describe, expect, it } from 'vitest';
import { assertListenAllowed, isLoopbackHost } from './listen-policy.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST.',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.20',
    '10.0.0.5',
    '::ffff:10.0.0.1',
    'fe80::1%en0',
    'my-laptop.local',
    '128.0.0.1',
    '',
  ])('%s is not loopback', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('assertListenAllowed', () => {
  it('refuses a non-loopback host without client keys, saying how to create one', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      expect(() => assertListenAllowed(host, 8080, false)).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining('mlx-gateway keys create-client NAME'),
        }),
      );
    }
    expect(() => assertListenAllowed('::', 8080, false)).toThrow(
      /refusing to listen on \[::\]:8080 without client keys/,
    );
  });

  it('allows loopback without keys, and any host with keys', () => {
    expect(() => assertListenAllowed('127.0.0.1', 8080, false)).not.toThrow();
    expect(() => assertListenAllowed('0.0.0.0', 8080, true)).not.toThrow();
  });
});
