import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer, PROTOCOL_VERSION } from '@mlx-gateway/protocol';
import { compileConfig } from '@mlx-gateway/shared/config';
import {
  checkControlEndpoint,
  restrictIpcSocket,
  supervisorCurveKeys,
} from './control-endpoint.js';

const SERVER_PUBLIC = 'I5-]@+K{2qZT5-rnkG:f[3X7?hs:Ms5%Ya0f=^!}';
const SERVER_SECRET = '3UgOLAdl9kMadVlN1xj:Nw+M3/JVs>r#9[n<3bTp';
const CLIENT_PUBLIC = 'nG+22(<<]ZZfycA0zYBlc<YDkxeY%@d@t$}Ngw!e';
const CURVE = {
  serverPublicKey: SERVER_PUBLIC,
  serverSecretKey: '${env:GW_CURVE_SERVER}',
  clientPublicKey: CLIENT_PUBLIC,
  clientSecretKey: '${secret:SUPERVISOR_CURVE_CLIENT_SECRET}',
};

const supervisor = (raw: Record<string, unknown>) =>
  compileConfig({ supervisor: raw }, { home: '/tmp/gw-endpoint' });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('checkControlEndpoint', () => {
  it('accepts the default ipc endpoints', () => {
    expect(() => checkControlEndpoint(supervisor({}).supervisor, false)).not.toThrow();
  });

  it('refuses a TCP endpoint without CURVE keys, saying how to make them', () => {
    const config = supervisor({ control: 'tcp://127.0.0.1:5555' });
    expect(() => checkControlEndpoint(config.supervisor, true)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /refusing to listen on tcp:\/\/127\.0\.0\.1:5555 \(supervisor\.control\) without authentication.*mlx-gateway keys curve/,
        ),
      }),
    );
  });

  it('refuses CURVE keys when this ZeroMQ build lacks CURVE', () => {
    const config = supervisor({ control: 'tcp://127.0.0.1:5555', curve: CURVE });
    expect(() => checkControlEndpoint(config.supervisor, true)).not.toThrow();
    expect(() => checkControlEndpoint(config.supervisor, false)).toThrow(
      /zmq\.capability\.curve is false/,
    );
  });
});

describe('supervisorCurveKeys', () => {
  it('is undefined without supervisor.curve, and resolves the server key otherwise', async () => {
    expect(await supervisorCurveKeys(supervisor({}), {})).toBeUndefined();
    const keys = await supervisorCurveKeys(supervisor({ curve: CURVE }), {
      GW_CURVE_SERVER: SERVER_SECRET,
    });
    expect(keys).toEqual({
      publicKey: SERVER_PUBLIC,
      secretKey: SERVER_SECRET,
      clientPublicKeys: [CLIENT_PUBLIC],
    });
  });
});

describe('restrictIpcSocket', () => {
  it('leaves a bound ipc socket file readable and writable by its owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mgw-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = new ControlServer({
      endpoint: `ipc://${join(dir, 'c.sock')}`,
      handler: async () => ({ incarnation: 'x', pid: 1, version: PROTOCOL_VERSION }),
    });
    await server.start();
    cleanups.unshift(() => server.close());
    await restrictIpcSocket(server.endpoint);
    const stats = await lstat(join(dir, 'c.sock'));
    expect(stats.isSocket()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
    await expect(restrictIpcSocket('tcp://127.0.0.1:1')).resolves.toBeUndefined();
  });
});
