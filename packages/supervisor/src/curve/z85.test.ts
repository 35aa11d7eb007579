import { describe, expect, it } from 'vitest';
import { generateCurveKeyPair } from '@mlx-gateway/protocol';
import { z85Decode } from './z85.js';

describe('z85Decode', () => {
  it('decodes the example of the Z85 specification', () => {
    expect(z85Decode('HelloWorld')).toEqual(
      Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]),
    );
  });

  it('turns a CURVE key into 32 bytes', () => {
    expect(z85Decode(generateCurveKeyPair().publicKey)).toHaveLength(32);
  });

  it.each([
    ['a length that is not a multiple of 5', 'Hello1'],
    ['a character outside the alphabet', 'Hel"oWorld'],
    ['a block above 32 bits', '#####'],
  ])('refuses %s', (_what, text) => {
    expect(z85Decode(text)).toBeUndefined();
  });
});
