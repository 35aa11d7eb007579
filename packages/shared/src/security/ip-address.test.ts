import { describe, expect, it } from 'vitest';
import { formatIPv6, normalizeHost, parseAddress, parseIPv4, parseIPv6 } from './ip-address.js';

describe('parseIPv4', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['0', '0.0.0.0'],
    ['0251.0376.0251.0376', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['2852039166', '169.254.169.254'],
    ['0xa9.254.0251.0376', '169.254.169.254'],
    ['169.254.43518', '169.254.169.254'],
    ['127.0.0.1.', '127.0.0.1'],
  ])('reads %s as %s', (input, expected) => {
    const bytes = parseIPv4(input);
    expect(bytes && Array.from(bytes).join('.')).toBe(expected);
  });

  it.each([
    '256.1.1.1',
    '1.2.3.4.5',
    '0x100000000',
    '4294967296',
    'api.openai.com',
    '08.0.0.1',
    '',
    '1..2',
  ])('rejects %j', (input) => {
    expect(parseIPv4(input)).toBeUndefined();
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::1', '::1'],
    ['::', '::'],
    ['[::ffff:169.254.169.254]', '::ffff:a9fe:a9fe'],
    ['::ffff:A9FE:A9FE', '::ffff:a9fe:a9fe'],
    ['0:0:0:0:0:ffff:127.0.0.1', '::ffff:7f00:1'],
    ['fd00:ec2::254', 'fd00:ec2::254'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('reads %s as %s', (input, expected) => {
    const bytes = parseIPv6(input);
    expect(bytes && formatIPv6(bytes)).toBe(expected);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', '::ffff:1.2.3', 'localhost', '127.0.0.1'])(
    'rejects %j',
    (input) => {
      expect(parseIPv6(input)).toBeUndefined();
    },
  );
});

describe('normalizeHost', () => {
  it('lowercases, drops brackets and trailing dots, and canonicalises IP literals', () => {
    expect(normalizeHost('LOCALHOST.')).toBe('localhost');
    expect(normalizeHost('[::FFFF:7F00:1]')).toBe('::ffff:7f00:1');
    expect(normalizeHost('0x7F.1')).toBe('127.0.0.1');
    expect(normalizeHost('Api.OpenAI.com')).toBe('api.openai.com');
  });

  it('tells names from addresses', () => {
    expect(parseAddress('api.openai.com')).toBeUndefined();
    expect(parseAddress('2130706433')).toMatchObject({ family: 4, text: '127.0.0.1' });
  });
});
