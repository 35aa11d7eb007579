import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';

const SERVER_PUBLIC = 'I5-]@+K{2qZT5-rnkG:f[3X7?hs:Ms5%Ya0f=^!}';
const SERVER_SECRET = '3UgOLAdl9kMadVlN1xj:Nw+M3/JVs>r#9[n<3bTp';
const CLIENT_PUBLIC = 'nG+22(<<]ZZfycA0zYBlc<YDkxeY%@d@t$}Ngw!e';

const compile = (curve: string) =>
  compileConfig(
    parse(`supervisor:
  control: tcp://127.0.0.1:5555
  events: tcp://127.0.0.1:5556
  curve:
${curve}`),
    { home: '/tmp/gw', file: 'config.yaml' },
  );

function problemsOf(curve: string): string {
  try {
    compile(curve);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('supervisor.curve', () => {
  it('compiles public keys as written and secret keys as references', () => {
    const { supervisor } = compile(`    serverPublicKey: "${SERVER_PUBLIC}"
    serverSecretKey: \${secret:SUPERVISOR_CURVE_SERVER_SECRET}
    clientPublicKey: "${CLIENT_PUBLIC}"
    clientSecretKey: \${env:GW_CURVE_CLIENT}
`);
    expect(supervisor.curve).toEqual({
      serverPublicKey: SERVER_PUBLIC,
      serverSecretKey: { kind: 'store', name: 'SUPERVISOR_CURVE_SERVER_SECRET' },
      clientPublicKey: CLIENT_PUBLIC,
      clientSecretKey: { kind: 'env', name: 'GW_CURVE_CLIENT' },
    });
  });

  it('is absent by default', () => {
    const config = compileConfig({}, { home: '/tmp/gw' });
    expect(config.supervisor.curve).toBeUndefined();
  });

  it('refuses a secret key written into the file, without repeating it', () => {
    const message = problemsOf(`    serverPublicKey: "${SERVER_PUBLIC}"
    serverSecretKey: "${SERVER_SECRET}"
    clientPublicKey: "${CLIENT_PUBLIC}"
    clientSecretKey: \${secret:C}
`);
    expect(message).toContain(
      'supervisor.curve.serverSecretKey: CURVE secret keys must not be written in the config file',
    );
    expect(message).toContain('mlx-gateway keys curve');
    expect(message).not.toContain(SERVER_SECRET);
  });

  it('names every missing or malformed key, never showing a value', () => {
    const message = problemsOf(`    serverPublicKey: "${SERVER_SECRET.slice(0, 30)}"
    clientSecretKey: $CURVE_CLIENT
`);
    expect(message).toContain('supervisor.curve.serverPublicKey: expected a CURVE public key');
    expect(message).toContain('supervisor.curve.serverSecretKey: is required');
    expect(message).toContain('supervisor.curve.clientPublicKey: is required');
    expect(message).toContain(
      'supervisor.curve.clientSecretKey: to read an environment variable write ${env:CURVE_CLIENT}',
    );
    expect(message).not.toContain(SERVER_SECRET.slice(0, 30));
  });

  it('refuses the same public key for server and client', () => {
    const message = problemsOf(`    serverPublicKey: "${SERVER_PUBLIC}"
    serverSecretKey: \${secret:S}
    clientPublicKey: "${SERVER_PUBLIC}"
    clientSecretKey: \${secret:C}
`);
    expect(message).toContain('supervisor.curve.clientPublicKey: must differ from serverPublicKey');
  });
});
