import type { LookupAddress } from 'node:dns';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { createGuardedLookup, type GuardedResolver } from './guarded-lookup.js';
import type { SsrfPolicy } from './ssrf-policy.js';

type Answer = LookupAddress[] | NodeJS.ErrnoException;

/** A resolver that gives the queued answers in order, and records what it was asked. */
function fakeResolver(...answers: Answer[]): GuardedResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = ((hostname, _options, callback) => {
    asked.push(hostname);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected lookup of ${hostname}`);
    queueMicrotask(() => {
      if (Array.isArray(answer)) callback(null, answer);
      else callback(answer, []);
    });
  }) as GuardedResolver & { asked: string[] };
  resolver.asked = asked;
  return resolver;
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

interface LookupResult {
  err: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family?: number;
}

function lookup(
  policy: SsrfPolicy,
  resolver: GuardedResolver,
  hostname: string,
  all = false,
): Promise<LookupResult> {
  const guarded = createGuardedLookup(policy, resolver);
  return new Promise((resolve) => {
    guarded(hostname, { all }, (err, address, family) => {
      resolve(family === undefined ? { err, address } : { err, address, family });
    });
  });
}

describe('createGuardedLookup', () => {
  it('passes a public answer through, in the single-address form', async () => {
    const result = await lookup({}, fakeResolver([v4('104.18.7.192')]), 'api.openai.com');
    expect(result).toEqual({ err: null, address: '104.18.7.192', family: 4 });
  });

  it('passes every address when asked for all (autoSelectFamily)', async () => {
    const answer = [v6('2606:4700::6812:7c0'), v4('104.18.7.192')];
    const result = await lookup({}, fakeResolver(answer), 'api.openai.com', true);
    expect(result.err).toBeNull();
    expect(result.address).toEqual(answer);
  });

  it('refuses a name that resolves to the metadata address (169.254.169.254.nip.io)', async () => {
    const result = await lookup(
      {},
      fakeResolver([v4('169.254.169.254')]),
      '169.254.169.254.nip.io',
    );
    expect(result.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(result.err?.message).toMatch(
      /host "169\.254\.169\.254\.nip\.io" resolves to 169\.254\.169\.254, a cloud metadata address/,
    );
  });

  it('refuses the answer if ANY address is refused, not only the first', async () => {
    const answer = [v4('104.18.7.192'), v4('10.0.0.7')];
    const result = await lookup({}, fakeResolver(answer), 'mixed.example.com');
    expect(result.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(result.err?.message).toMatch(/10\.0\.0\.7, a private network address/);
  });

  it('refuses IPv4-mapped IPv6 answers by the address inside', async () => {
    const result = await lookup({}, fakeResolver([v6('::ffff:a9fe:a9fe')]), 'sneaky.example.com');
    expect(result.err?.message).toMatch(/cloud metadata/);
  });

  it('refuses metadata even for a host in allowHosts with private networks allowed', async () => {
    const policy = { allowPrivateNetwork: true, allowHosts: ['box.example.com'] };
    const result = await lookup(policy, fakeResolver([v4('169.254.169.254')]), 'box.example.com');
    expect(result.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
  });

  it('lets an allowed host resolve to a private address', async () => {
    const policy = { allowHosts: ['gpu.lan.example.com'] };
    const result = await lookup(policy, fakeResolver([v4('192.168.1.40')]), 'gpu.lan.example.com');
    expect(result.err).toBeNull();
    expect(result.address).toBe('192.168.1.40');
  });

  it('refuses metadata and loopback names without asking DNS', async () => {
    const resolver = fakeResolver();
    const metadata = await lookup({}, resolver, 'metadata.google.internal');
    const local = await lookup({}, resolver, 'LOCALHOST.');
    expect(metadata.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(local.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(resolver.asked).toEqual([]);
  });

  it('checks IP literals in any spelling handed to it directly', async () => {
    const resolver = fakeResolver([v4('127.0.0.1')]);
    const result = await lookup({}, resolver, '0x7f.1');
    expect(result.err?.message).toMatch(/loopback/);
  });

  it('stops DNS rebinding: a name that answered public, then private, is refused on the second connect', async () => {
    const guarded = createGuardedLookup(
      {},
      fakeResolver([v4('93.184.216.34')], [v4('169.254.169.254')]),
    );
    const connect = (): Promise<LookupResult> =>
      new Promise((resolve) => {
        guarded('rebind.example.com', {}, (err, address) => resolve({ err, address }));
      });
    const first = await connect();
    const second = await connect();
    expect(first).toEqual({ err: null, address: '93.184.216.34' });
    expect(second.err?.code).toBe(ErrorCodes.SSRF_BLOCKED);
  });

  it('passes resolver errors through unchanged', async () => {
    const notFound: NodeJS.ErrnoException = Object.assign(new Error('getaddrinfo ENOTFOUND x'), {
      code: 'ENOTFOUND',
    });
    const result = await lookup({}, fakeResolver(notFound), 'nowhere.example.com');
    expect(result.err).toBe(notFound);
  });

  it('treats an empty answer as not found', async () => {
    const result = await lookup({}, fakeResolver([]), 'empty.example.com');
    expect(result.err?.code).toBe('ENOTFOUND');
  });
});
