import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorClient } from './control-client.js';
import { ControlServer } from './control-server.js';
import { curveAvailable, generateCurveKeyPair, isCurveKey, requireCurve } from './curve.js';
import { PROTOCOL_VERSION } from './messages.js';
import { SocketFixture } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

const ping = { incarnation: 'tcp', pid: 1, version: PROTOCOL_VERSION };

async function curveServer() {
  const keys = generateCurveKeyPair();
  const server = fixture.track(
    new ControlServer({ endpoint: 'tcp://127.0.0.1:*', handler: async () => ping, curve: keys }),
  );
  await server.start();
  return { server, keys };
}

describe('CURVE', () => {
  it('is available in this build and generates Z85 key pairs', () => {
    expect(curveAvailable()).toBe(true);
    expect(() => requireCurve()).not.toThrow();
    const { publicKey, secretKey } = generateCurveKeyPair();
    expect(isCurveKey(publicKey)).toBe(true);
    expect(isCurveKey(secretKey)).toBe(true);
    expect(publicKey).not.toBe(secretKey);
    expect(isCurveKey('too-short')).toBe(false);
  });

  it('lets a client that knows the server key talk to a CURVE server over TCP', async () => {
    const { server, keys } = await curveServer();
    expect(server.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const client = fixture.track(
      new SupervisorClient({
        endpoint: server.endpoint,
        curve: { serverPublicKey: keys.publicKey, ...generateCurveKeyPair() },
      }),
    );
    await expect(client.request({ cmd: 'ping' })).resolves.toEqual(ping);
  });

  it('gives a client without keys, or with the wrong server key, no reply', async () => {
    const { server } = await curveServer();
    const warnings: string[] = [];
    const plain = fixture.track(
      new SupervisorClient({
        endpoint: server.endpoint,
        timeoutMs: 300,
        onWarning: (message) => warnings.push(message),
      }),
    );
    const impostor = fixture.track(
      new SupervisorClient({
        endpoint: server.endpoint,
        timeoutMs: 300,
        curve: { serverPublicKey: generateCurveKeyPair().publicKey, ...generateCurveKeyPair() },
      }),
    );
    for (const client of [plain, impostor]) {
      const failure = await client.request({ cmd: 'ping' }).catch((e: unknown) => e);
      expect(failure).toMatchObject({
        code: expect.stringMatching(/^SUPERVISOR_(UNAVAILABLE|TIMEOUT)$/),
      });
    }
    // The client without CURVE learns of the failed handshake: reported once, not per retry.
    expect(warnings).toEqual([expect.stringMatching(/handshake with the supervisor failed/)]);
  });

  it('rejects a malformed key with CONFIG_INVALID, without echoing it', () => {
    const secretKey = 'not-a-key-but-maybe-a-secret';
    const attempt = () =>
      new SupervisorClient({
        endpoint: 'tcp://127.0.0.1:1',
        curve: {
          serverPublicKey: generateCurveKeyPair().publicKey,
          publicKey: secretKey,
          secretKey,
        },
      });
    expect(attempt).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(attempt).not.toThrow(/maybe-a-secret/);
  });
});
