import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';

const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: '/tmp/gw', file: 'config.yaml', env: { HOME: '/Users/me' } });

function problemsOf(text: string): string {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('state: the shared state store', () => {
  it('is the embedded store by default', () => {
    expect(compileYaml('{}').state).toEqual({ keyPrefix: 'mlx-gateway:', whenDown: 'serve' });
  });

  it('compiles a Redis with a password reference, TLS and timeouts', () => {
    const state = compileYaml(`
state:
  redis:
    url: rediss://gw@redis.internal:6380/2
    password: \${secret:redis}
    tls: { ca: ~/certs/ca.pem, servername: redis.internal }
    commandTimeout: 100ms
  keyPrefix: "team-a:"
  whenDown: refuse
`).state;
    expect(state).toEqual({
      keyPrefix: 'team-a:',
      whenDown: 'refuse',
      redis: {
        url: 'rediss://gw@redis.internal:6380/2',
        password: { kind: 'store', name: 'redis' },
        tls: { caFile: '/Users/me/certs/ca.pem', servername: 'redis.internal' },
        commandTimeoutMs: 100,
        connectTimeoutMs: 2000,
      },
    });
  });

  it('refuses a literal password, in the field or in the URL, without showing it', () => {
    const literal = problemsOf(
      'state: { redis: { url: "redis://h:6379", password: hunter2-secret } }',
    );
    expect(literal).toMatch(/state\.redis\.password/);
    expect(literal).toMatch(/mlx-gateway keys set redis/);
    expect(literal).not.toContain('hunter2-secret');
    const inUrl = problemsOf('state: { redis: { url: "redis://user:hunter2-secret@h:6379/0" } }');
    expect(inUrl).toMatch(/state\.redis\.url.*must not contain a password/);
    expect(inUrl).not.toContain('hunter2-secret');
  });

  it('names what is wrong with the URL, unknown keys and whenDown', () => {
    expect(problemsOf('state: { redis: { url: "http://h" } }')).toMatch(
      /state\.redis\.url.*expected a Redis URL/,
    );
    expect(problemsOf('state: { redis: { url: "redis://h", comandTimeout: 1s } }')).toMatch(
      /comandTimeout.*did you mean "commandTimeout"/,
    );
    expect(problemsOf('state: { whenDown: open }')).toMatch(/state\.whenDown/);
  });
});
