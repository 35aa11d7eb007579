import { BlockList } from 'node:net';
import { formatIPv4, type ParsedAddress } from './ip-address.js';

/**
 * What an address is, for the SSRF policy. Only `loopback` and `private` can be allowed by
 * policy; everything else except `public` is always refused.
 */
export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'translated';

export interface AddressClass {
  category: AddressCategory;
  /** The matched range (CIDR), for messages. */
  range?: string;
  /** For IPv4-mapped, NAT64, 6to4 and Teredo addresses: the IPv4 address inside. */
  embedded?: string;
  /** For `translated`: what the embedded IPv4 address is. */
  embeddedCategory?: AddressCategory;
}

interface Range {
  cidr: string;
  category: AddressCategory;
  list: BlockList;
}

function range(cidr: string, category: AddressCategory): Range {
  const [network = '', prefix = ''] = cidr.split('/');
  const family = network.includes(':') ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return { cidr, category, list };
}

/** Cloud instance metadata endpoints (AWS, ECS/EKS, GCP, Azure, Oracle, Alibaba). */
const METADATA_V4 = [
  '169.254.169.254/32',
  '169.254.170.2/32',
  '169.254.170.23/32',
  '100.100.100.200/32',
  '192.0.0.192/32',
];
const METADATA_V6 = ['fd00:ec2::254/128', 'fd00:ec2::23/128'];

/** First match wins, so specific ranges come before the ranges that contain them. */
const IPV4_RANGES: Range[] = [
  ...METADATA_V4.map((cidr) => range(cidr, 'metadata')),
  range('0.0.0.0/8', 'unspecified'),
  range('127.0.0.0/8', 'loopback'),
  range('10.0.0.0/8', 'private'),
  range('172.16.0.0/12', 'private'),
  range('192.168.0.0/16', 'private'),
  range('100.64.0.0/10', 'private'),
  range('169.254.0.0/16', 'link-local'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'documentation'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('198.18.0.0/15', 'reserved'),
  range('192.88.99.0/24', 'reserved'),
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: Range[] = [
  ...METADATA_V6.map((cidr) => range(cidr, 'metadata')),
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('64:ff9b:1::/48', 'private'),
  range('100::/64', 'reserved'),
  range('2001:10::/28', 'reserved'),
  range('2001:20::/28', 'reserved'),
  range('2001:db8::/32', 'documentation'),
  range('3fff::/20', 'documentation'),
  range('fc00::/7', 'private'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'),
  range('ff00::/8', 'multicast'),
];

/** Global unicast space; any other IPv6 address not matched above is reserved. */
const IPV6_GLOBAL = range('2000::/3', 'public');

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function classifyIPv4(text: string): AddressClass {
  for (const r of IPV4_RANGES) {
    if (r.list.check(text, 'ipv4')) return { category: r.category, range: r.cidr };
  }
  return { category: 'public' };
}

function v4At(bytes: Uint8Array, offset: number, xor = 0): string {
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i += 1) out[i] = (bytes[offset + i] ?? 0) ^ xor;
  return formatIPv4(out);
}

/** IPv6 forms that carry an IPv4 address the packet ends up at. */
function embeddedIPv4(bytes: Uint8Array): { v4: string[]; range: string; same: boolean } | null {
  const zero10 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) are the IPv4 host itself.
  if (startsWith(bytes, [...zero10, 0xff, 0xff])) {
    return { v4: [v4At(bytes, 12)], range: '::ffff:0:0/96', same: true };
  }
  if (startsWith(bytes, [...zero10, 0, 0])) {
    return { v4: [v4At(bytes, 12)], range: '::/96', same: true };
  }
  // NAT64 well-known prefix 64:ff9b::/96: a translator forwards to the IPv4 address.
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) {
    return { v4: [v4At(bytes, 12)], range: '64:ff9b::/96', same: false };
  }
  // 6to4 2002:V4ADDR::/48.
  if (startsWith(bytes, [0x20, 0x02])) {
    return { v4: [v4At(bytes, 2)], range: '2002::/16', same: false };
  }
  // Teredo 2001:0::/32: server address, then the client address with every bit inverted.
  if (startsWith(bytes, [0x20, 0x01, 0, 0])) {
    return { v4: [v4At(bytes, 4), v4At(bytes, 12, 0xff)], range: '2001::/32', same: false };
  }
  return null;
}

function classifyIPv6(address: ParsedAddress): AddressClass {
  const { bytes, text } = address;
  for (const r of IPV6_RANGES) {
    if (r.list.check(text, 'ipv6')) return { category: r.category, range: r.cidr };
  }
  const embedded = embeddedIPv4(bytes);
  if (embedded) {
    for (const v4 of embedded.v4) {
      const inner = classifyIPv4(v4);
      if (embedded.same) return { ...inner, embedded: v4 };
      if (inner.category !== 'public') {
        return {
          category: 'translated',
          range: embedded.range,
          embedded: v4,
          embeddedCategory: inner.category,
        };
      }
    }
    return { category: 'public', embedded: embedded.v4[0] };
  }
  if (!IPV6_GLOBAL.list.check(text, 'ipv6')) return { category: 'reserved', range: 'non-2000::/3' };
  return { category: 'public' };
}

/** Classifies a parsed address, looking inside IPv6 forms that embed an IPv4 address. */
export function classifyAddress(address: ParsedAddress): AddressClass {
  return address.family === 4 ? classifyIPv4(address.text) : classifyIPv6(address);
}
