import { afterEach, describe, expect, it } from 'vitest';
import {
  ControlServer,
  PROTOCOL_VERSION,
  SupervisorClient,
  generateCurveKeyPair,
  type CurveKeyPair,
} from '@mlx-gateway/protocol';
import { ZapHandler } from './zap-handler.js';

const ping = { incarnation: 'zap', pid: 1, version: PROTOCOL_VERSION };
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function curveServer(allowed: CurveKeyPair, denied: string[]) {
  const zap = new ZapHandler({
    allowedClientKeys: [allowed.publicKey],
    onDenied: (address) => denied.push(address),
  });
  await zap.start();
  closers.push(() => zap.close());
  const keys = generateCurveKeyPair();
  const server = new ControlServer({
    endpoint: 'tcp://127.0.0.1:*',
    handler: async () => ping,
    curve: keys,
  });
  await server.start();
  closers.push(() => server.close());
  return { endpoint: server.endpoint, serverPublicKey: keys.publicKey };
}

function connect(options: ConstructorParameters<typeof SupervisorClient>[0]): SupervisorClient {
  const c = new SupervisorClient(options);
  closers.push(() => c.close());
  return c;
}

describe('ZapHandler', () => {
  it('lets in the configured client key and refuses any other key pair', async () => {
    const allowed = generateCurveKeyPair();
    const denied: string[] = [];
    const { endpoint, serverPublicKey } = await curveServer(allowed, denied);

    const good = connect({ endpoint, curve: { serverPublicKey, ...allowed } });
    await expect(good.request({ cmd: 'ping' })).resolves.toEqual(ping);

    // Knowing the server's public key (it is in the config file) is not enough.
    const stranger = connect({
      endpoint,
      timeoutMs: 300,
      curve: { serverPublicKey, ...generateCurveKeyPair() },
    });
    await expect(stranger.request({ cmd: 'ping' })).rejects.toMatchObject({
      code: expect.stringMatching(/^SUPERVISOR_(UNAVAILABLE|TIMEOUT)$/),
    });
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toMatch(/^127\.0\.0\.1/);

    const plain = connect({ endpoint, timeoutMs: 300 });
    await expect(plain.request({ cmd: 'ping' })).rejects.toMatchObject({
      code: expect.stringMatching(/^SUPERVISOR_(UNAVAILABLE|TIMEOUT)$/),
    });
  });

  it('answers a request of another mechanism or version with a refusal', () => {
    const zap = new ZapHandler({ allowedClientKeys: [generateCurveKeyPair().publicKey] });
    const frames = (version: string, mechanism: string, credential: Buffer) => [
      ...[version, '7', '', '10.0.0.1', '', mechanism].map((f) => Buffer.from(f)),
      credential,
    ];
    const status = (reply: Buffer[]) => reply[2]?.toString();
    expect(status(zap.decide(frames('1.0', 'PLAIN', Buffer.from('user'))))).toBe('400');
    expect(status(zap.decide(frames('1.0', 'CURVE', Buffer.alloc(32))))).toBe('400');
    expect(status(zap.decide(frames('2.0', 'CURVE', Buffer.alloc(32))))).toBe('500');
    expect(zap.decide(frames('1.0', 'CURVE', Buffer.alloc(32)))[1]?.toString()).toBe('7');
  });

  it('refuses a malformed allowed key at construction', () => {
    expect(() => new ZapHandler({ allowedClientKeys: ['short'] })).toThrow(/40 Z85 characters/);
  });
});
