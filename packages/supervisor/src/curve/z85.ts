/** ZeroMQ's base-85 alphabet (ZeroMQ RFC 32/Z85). */
const ALPHABET =
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

const VALUES = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

/**
 * Decodes Z85 text (a multiple of 5 characters) into bytes (4 per 5 characters), as libzmq's
 * zmq_z85_decode does. zeromq.js exposes CURVE keys only as Z85, while a ZAP request carries
 * the client's key as 32 raw bytes. Undefined for text that is not Z85.
 */
export function z85Decode(text: string): Buffer | undefined {
  if (text.length % 5 !== 0) return undefined;
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let block = 0; block < text.length / 5; block++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const digit = VALUES.get(text[block * 5 + i] as string);
      if (digit === undefined) return undefined;
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) return undefined;
    out.writeUInt32BE(value, block * 4);
  }
  return out;
}
