import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@mlx-gateway/shared/config';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { Cleanup, tempHome } from '../support/processes.js';

const METADATA = /cloud metadata|metadata service/;
const LOOPBACK = /loopback/;
const PRIVATE = /private network/;
const LINK_LOCAL = /link-local/;
const UNSPECIFIED = /unspecified/;
const NOT_HTTP = /expected an http or https URL/;
const CREDENTIALS = /must not contain user:password@/;

/** A remote model's URL, whether it sets allowPrivateNetwork, and why it must be refused. */
const REFUSED: Array<[string, boolean, RegExp]> = [
  // cloud metadata, in every spelling, and never unlocked by allowPrivateNetwork
  ['http://169.254.169.254/latest/meta-data/', false, METADATA],
  ['http://169.254.169.254/', true, METADATA],
  ['http://2852039166/', false, METADATA],
  ['http://0251.0376.0251.0376/', true, METADATA],
  ['http://0xa9fea9fe/', false, METADATA],
  ['http://0xA9.0xFE.0xA9.0xFE/', true, METADATA],
  ['http://169.254.43518/', false, METADATA],
  ['http://[::ffff:169.254.169.254]/', true, METADATA],
  ['http://[::ffff:a9fe:a9fe]/', false, METADATA],
  ['http://[fd00:ec2::254]/latest/meta-data/', true, METADATA],
  ['http://metadata.google.internal/computeMetadata/v1/', true, METADATA],
  ['http://METADATA.GOOGLE.INTERNAL./', false, METADATA],
  ['http://100.100.100.200/latest/meta-data/', true, METADATA],
  ['http://169.254.170.2/v2/credentials', true, METADATA],
  // link-local and unspecified: always refused
  ['http://169.254.1.1/', true, LINK_LOCAL],
  ['http://[fe80::1]/', true, LINK_LOCAL],
  ['http://0.0.0.0:8000/', true, UNSPECIFIED],
  ['http://[::]/', true, UNSPECIFIED],
  // loopback without allowPrivateNetwork
  ['http://127.0.0.1:8000/v1', false, LOOPBACK],
  ['http://localhost:8000/v1', false, LOOPBACK],
  ['http://0x7f000001/', false, LOOPBACK],
  ['http://2130706433/', false, LOOPBACK],
  ['http://0177.0.0.1/', false, LOOPBACK],
  ['http://127.1/', false, LOOPBACK],
  ['http://[::1]:8000/', false, LOOPBACK],
  ['http://[::ffff:127.0.0.1]/', false, LOOPBACK],
  ['http://api.localhost/', false, LOOPBACK],
  ['http://１２７.０.０.１/', false, LOOPBACK],
  // private networks without allowPrivateNetwork
  ['http://10.0.0.5:8000/v1', false, PRIVATE],
  ['http://172.16.0.1/', false, PRIVATE],
  ['http://192.168.1.1/', false, PRIVATE],
  ['http://100.64.0.1/', false, PRIVATE],
  ['http://[fd12:3456::1]/', false, PRIVATE],
  ['http://[::ffff:10.0.0.1]/', false, PRIVATE],
  // other special ranges
  ['http://224.0.0.1/', true, /multicast/],
  ['http://255.255.255.255/', true, /broadcast/],
  ['http://240.0.0.1/', true, /reserved/],
  ['http://192.0.2.10/', true, /documentation/],
  ['http://[64:ff9b::a9fe:a9fe]/', true, /translation .* 169\.254\.169\.254/],
  ['http://[2002:a00:1::1]/', true, /translation .* 10\.0\.0\.1/],
  // schemes and credentials
  ['file:///etc/passwd', true, NOT_HTTP],
  ['gopher://127.0.0.1:6379/_INFO', true, NOT_HTTP],
  ['ftp://ftp.example.com/', true, NOT_HTTP],
  ['http://user:hunter2-secret@api.openai.com/v1', false, CREDENTIALS],
  ['http://api.openai.com@169.254.169.254/', false, CREDENTIALS],
];

const ACCEPTED: Array<[string, boolean]> = [
  ['https://api.openai.com/v1', false],
  ['https://api.anthropic.com/v1', false],
  ['HTTPS://API.OPENAI.COM/v1', false],
  ['https://8.8.8.8/v1', false],
  ['https://[2606:4700:4700::1111]/v1', false],
  ['http://127.0.0.1:8000/v1', true],
  ['http://localhost:11434/v1', true],
  ['http://192.168.1.20:8000/v1', true],
  ['http://10.0.0.5:8080/v1', true],
];

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

function configWith(entries: Array<[string, boolean]>): string {
  const home = tempHome();
  cleanup.dir(home);
  const models = entries
    .map(
      ([url, allow], i) => `  m${i}:
    backend: openai-compatible
    url: ${JSON.stringify(url)}
    allowPrivateNetwork: ${allow}
`,
    )
    .join('');
  writeFileSync(join(home, 'config.yaml'), `models:\n${models}`);
  return home;
}

describe('SSRF: upstream URLs are checked when the config is loaded', () => {
  it('has a corpus of at least 40 refused URLs', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses every URL of the corpus through loadConfig, each with its reason', () => {
    const home = configWith(REFUSED.map(([url, allow]) => [url, allow]));
    let error: unknown;
    try {
      loadConfig({ home, env: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n');
    REFUSED.forEach(([url, , reason], i) => {
      const line = lines.find((l) => l.includes(`: models.m${i}.url: `));
      expect(line, `${url} was not refused`).toBeDefined();
      expect(line, url).toMatch(reason);
    });
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('accepts public URLs, and loopback or private ones marked allowPrivateNetwork', () => {
    const home = configWith(ACCEPTED);
    const config = loadConfig({ home, env: {} });
    expect(config.models).toHaveLength(ACCEPTED.length);
  });

  it('`mlx-gateway config check` refuses a metadata URL and names the key', async () => {
    const home = configWith([['http://169.254.169.254/latest/meta-data/', true]]);
    const result = await runCli(home, ['config', 'check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /models\.m0\.url: refused: 169\.254\.169\.254 is a cloud metadata address .*always refused/,
    );
  });
});
