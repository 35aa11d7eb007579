import { ErrorCodes } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { assertSafeUrl, checkUrl } from './ssrf.js';
import type { SsrfPolicy } from './ssrf-policy.js';

const METADATA = /cloud metadata/;
const LOOPBACK = /loopback/;
const PRIVATE = /private network/;
const LINK_LOCAL = /link-local/;
const UNSPECIFIED = /unspecified/;
const SCHEME = /scheme .* not allowed/;
const CREDENTIALS = /credentials/;

/** URL, policy, and what the reason must say. Every one of these must be refused. */
const REFUSED: Array<[string, SsrfPolicy, RegExp]> = [
  // cloud metadata in every spelling
  ['http://169.254.169.254/latest/meta-data/', {}, METADATA],
  ['http://2852039166/', {}, METADATA],
  ['http://0251.0376.0251.0376/', {}, METADATA],
  ['http://0xa9fea9fe/', {}, METADATA],
  ['http://0xA9.0xFE.0xA9.0xFE/', {}, METADATA],
  ['http://0xa9.254.0251.0376/', {}, METADATA],
  ['http://169.254.43518/', {}, METADATA],
  ['http://[::ffff:169.254.169.254]/', {}, METADATA],
  ['http://[::ffff:a9fe:a9fe]/', {}, METADATA],
  ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', {}, METADATA],
  ['http://[fd00:ec2::254]/latest/meta-data/', {}, METADATA],
  ['http://metadata.google.internal/computeMetadata/v1/', {}, /metadata service/],
  ['http://METADATA.GOOGLE.INTERNAL./', {}, /metadata service/],
  ['http://100.100.100.200/latest/meta-data/', {}, METADATA],
  ['http://169.254.170.2/v2/credentials', {}, METADATA],
  // metadata stays refused when the private network and loopback are allowed
  ['http://169.254.169.254/', { allowPrivateNetwork: true, allowLoopback: true }, METADATA],
  ['http://[fd00:ec2::254]/', { allowPrivateNetwork: true }, METADATA],
  ['http://100.100.100.200/', { allowPrivateNetwork: true }, METADATA],
  ['http://169.254.169.254/', { allowHosts: ['169.254.169.254'] }, METADATA],
  ['http://169.254.1.1/', { allowPrivateNetwork: true }, LINK_LOCAL],
  ['http://[fe80::1]/', { allowPrivateNetwork: true }, LINK_LOCAL],
  // loopback in every spelling
  ['http://127.0.0.1:8000/', {}, LOOPBACK],
  ['http://0x7f.1/', {}, LOOPBACK],
  ['http://0x7f000001/', {}, LOOPBACK],
  ['http://2130706433/', {}, LOOPBACK],
  ['http://0177.0.0.1/', {}, LOOPBACK],
  ['http://127.1/', {}, LOOPBACK],
  ['http://127.0.0.1./', {}, LOOPBACK],
  ['http://localhost/', {}, LOOPBACK],
  ['http://localhost./', {}, LOOPBACK],
  ['http://LOCALHOST/', {}, LOOPBACK],
  ['http://api.localhost/', {}, LOOPBACK],
  ['http://ⓛocalhost/', {}, LOOPBACK],
  ['http://１２７.０.０.１/', {}, LOOPBACK],
  ['http://%31%32%37.0.0.1/', {}, LOOPBACK],
  ['http://[::1]:8000/', {}, LOOPBACK],
  ['http://[::ffff:127.0.0.1]/', {}, LOOPBACK],
  ['http://[::127.0.0.1]/', {}, LOOPBACK],
  // unspecified: 0.0.0.0 reaches the local host on Linux
  ['http://0.0.0.0:8000/', { allowLoopback: true }, UNSPECIFIED],
  ['http://0/', {}, UNSPECIFIED],
  ['http://[::]/', { allowLoopback: true }, UNSPECIFIED],
  // private ranges
  ['http://10.0.0.5:8000/', {}, PRIVATE],
  ['http://10.1/', {}, PRIVATE],
  ['http://172.16.0.1/', {}, PRIVATE],
  ['http://172.31.255.255/', {}, PRIVATE],
  ['http://192.168.1.1/', {}, PRIVATE],
  ['http://100.64.0.1/', {}, PRIVATE],
  ['http://[fc00::1]/', {}, PRIVATE],
  ['http://[fd12:3456::1]/', {}, PRIVATE],
  ['http://[::ffff:10.0.0.1]/', {}, PRIVATE],
  ['http://10.0.0.5:8000/', { allowLoopback: true }, PRIVATE],
  ['http://127.0.0.1/', { allowPrivateNetwork: true }, LOOPBACK],
  // other special ranges
  ['http://224.0.0.1/', {}, /multicast/],
  ['http://[ff02::1]/', {}, /multicast/],
  ['http://255.255.255.255/', {}, /broadcast/],
  ['http://240.0.0.1/', {}, /reserved/],
  ['http://192.0.2.10/', {}, /documentation/],
  ['http://[2001:db8::1]/', {}, /documentation/],
  ['http://198.18.0.1/', {}, /reserved/],
  ['http://[100::1]/', {}, /reserved/],
  // translation prefixes that embed a private IPv4 address
  ['http://[64:ff9b::a9fe:a9fe]/', {}, /translation .* 169\.254\.169\.254, a cloud metadata/],
  ['http://[64:ff9b::7f00:1]/', { allowLoopback: true }, /translation .* 127\.0\.0\.1/],
  ['http://[2002:a00:1::1]/', { allowPrivateNetwork: true }, /translation .* 10\.0\.0\.1/],
  ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', {}, /translation .* 127\.0\.0\.1/],
  // schemes
  ['file:///etc/passwd', {}, SCHEME],
  ['gopher://127.0.0.1:6379/_INFO', {}, SCHEME],
  ['ftp://ftp.example.com/', {}, SCHEME],
  ['data:text/plain,hello', {}, SCHEME],
  ['javascript:alert(1)', {}, SCHEME],
  ['ws://api.openai.com/', {}, SCHEME],
  ['dict://127.0.0.1:11211/', {}, SCHEME],
  // credentials in the URL
  ['http://user:pass@api.openai.com/v1', {}, CREDENTIALS],
  ['http://api.openai.com@169.254.169.254/', {}, CREDENTIALS],
  ['https://sk-abc@api.openai.com/', {}, CREDENTIALS],
  // not a URL
  ['api.openai.com/v1', {}, /not a valid absolute URL/],
  ['http://256.256.256.256/', {}, /not a valid absolute URL/],
];

describe('checkUrl refuses', () => {
  it('covers at least 40 URLs', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
  });

  it.each(REFUSED)('%s (policy %j)', (url, policy, reason) => {
    const result = checkUrl(url, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('never repeats the credentials of a refused URL', () => {
    const result = checkUrl('http://admin:hunter2-password@api.openai.com/', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).not.toContain('hunter2');
  });

  it('does not resolve names: a public-looking name passes until connect time', () => {
    // 169.254.169.254.nip.io resolves to the metadata address; the guarded lookup refuses it.
    expect(checkUrl('http://169.254.169.254.nip.io/', {}).ok).toBe(true);
  });
});

describe('checkUrl accepts', () => {
  it.each<[string, SsrfPolicy]>([
    ['https://api.openai.com/v1', {}],
    ['https://api.anthropic.com/v1', {}],
    ['HTTPS://API.OPENAI.COM/v1', {}],
    ['https://8.8.8.8/', {}],
    ['https://[2606:4700:4700::1111]/', {}],
    ['https://[64:ff9b::808:808]/', {}],
    ['http://127.0.0.1:8000', { allowLoopback: true }],
    ['http://localhost:8000/v1', { allowLoopback: true }],
    ['http://[::1]:8000/v1', { allowLoopback: true }],
    ['http://10.0.0.5:8000', { allowPrivateNetwork: true }],
    ['http://192.168.1.20:8000/v1', { allowPrivateNetwork: true }],
    ['http://[fd12::5]:8000/v1', { allowPrivateNetwork: true }],
    ['http://10.0.0.5:8000', { allowHosts: ['10.0.0.5'] }],
    ['http://gpu-box.localhost:8000', { allowHosts: ['*.localhost'] }],
  ])('%s (policy %j)', (url, policy) => {
    const result = checkUrl(url, policy);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.url).toBeInstanceOf(URL);
  });

  it('returns the parsed URL with the normalised host to send the request to', () => {
    const result = checkUrl('http://0x7f.1:8000/v1', { allowLoopback: true });
    expect(result.ok && result.url.host).toBe('127.0.0.1:8000');
  });

  it('allowHosts lets only the listed hosts through', () => {
    expect(checkUrl('http://10.0.0.6/', { allowHosts: ['10.0.0.5'] }).ok).toBe(false);
    expect(checkUrl('http://a.b.localhost/', { allowHosts: ['*.b.localhost'] }).ok).toBe(true);
    expect(checkUrl('http://localhost/', { allowHosts: ['*.localhost'] }).ok).toBe(false);
  });
});

describe('assertSafeUrl', () => {
  it('throws GatewayError SSRF_BLOCKED with the reason', () => {
    let thrown: unknown;
    try {
      assertSafeUrl('http://[::ffff:a9fe:a9fe]/latest/meta-data/');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    const err = thrown as GatewayError;
    expect(err.code).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/cloud metadata/);
  });

  it('returns the URL when it is allowed', () => {
    expect(assertSafeUrl('https://api.openai.com/v1').href).toBe('https://api.openai.com/v1');
  });
});
