import { normalizeHost, parseAddress } from './ip-address.js';
import { classifyAddress, type AddressClass, type AddressCategory } from './ip-ranges.js';

/**
 * What an outbound URL may reach. By default only public addresses are allowed.
 *
 * - `allowLoopback`: 127.0.0.0/8, ::1, `localhost` and `*.localhost`.
 * - `allowPrivateNetwork`: 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10.
 * - `allowHosts`: host names or IP literals (`*.example.internal` matches subdomains) the
 *   operator vouches for: they may resolve to loopback or private addresses.
 *
 * Never allowed, whatever the policy: cloud metadata endpoints, link-local
 * (169.254/16, fe80::/10), 0.0.0.0/8 and ::, multicast, broadcast, reserved and
 * documentation ranges, and NAT64/6to4/Teredo addresses that embed a non-public IPv4.
 */
export interface SsrfPolicy {
  allowPrivateNetwork?: boolean;
  allowLoopback?: boolean;
  allowHosts?: string[];
}

/** Host names that always lead to a metadata service. */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

const CATEGORY_TEXT: Record<AddressCategory, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  translated: 'an IPv6 translation address',
};

function describe(cls: AddressClass): string {
  let text = CATEGORY_TEXT[cls.category];
  if (cls.range) text += ` (${cls.range})`;
  if (cls.category === 'translated' && cls.embedded && cls.embeddedCategory) {
    text += ` that embeds ${cls.embedded}, ${CATEGORY_TEXT[cls.embeddedCategory]}`;
  } else if (cls.embedded) {
    text += `, via the embedded IPv4 address ${cls.embedded}`;
  }
  return text;
}

/** True when `host` (already normalised) is listed in `allowHosts`. */
export function isHostAllowed(host: string, policy: SsrfPolicy): boolean {
  for (const entry of policy.allowHosts ?? []) {
    const wildcard = entry.trim().startsWith('*.');
    const normalized = normalizeHost(wildcard ? entry.trim().slice(2) : entry);
    if (normalized.length === 0) continue;
    if (wildcard ? host.endsWith(`.${normalized}`) : host === normalized) return true;
  }
  return false;
}

function refusal(cls: AddressClass, policy: SsrfPolicy, hostAllowed: boolean): string | undefined {
  switch (cls.category) {
    case 'public':
      return undefined;
    case 'loopback':
      if (policy.allowLoopback || hostAllowed) return undefined;
      return 'refused unless loopback addresses are allowed';
    case 'private':
      if (policy.allowPrivateNetwork || hostAllowed) return undefined;
      return 'refused unless private network addresses are allowed';
    default:
      return 'always refused';
  }
}

/**
 * Checks one IP address against the policy. Returns the reason it is refused, or
 * undefined when it may be contacted. `host` names the address in the message.
 */
export function addressRefusal(
  address: string,
  policy: SsrfPolicy,
  options: { host?: string; hostAllowed?: boolean } = {},
): string | undefined {
  const parsed = parseAddress(address);
  if (!parsed) return `"${address}" is not an IP address`;
  const cls = classifyAddress(parsed);
  const why = refusal(cls, policy, options.hostAllowed ?? false);
  if (why === undefined) return undefined;
  const subject =
    options.host && options.host !== parsed.text
      ? `host "${options.host}" resolves to ${parsed.text},`
      : `${parsed.text} is`;
  return `${subject} ${describe(cls)}; ${why}`;
}

/**
 * Checks a host name or IP literal (any spelling) without resolving it. Returns the reason
 * it is refused, or undefined. A name that passes still has to pass at connect time, when
 * every address it resolves to is checked (see createGuardedLookup).
 */
export function hostRefusal(rawHost: string, policy: SsrfPolicy): string | undefined {
  const host = normalizeHost(rawHost);
  if (host.length === 0) return 'the URL has no host';
  const hostAllowed = isHostAllowed(host, policy);
  if (parseAddress(host)) return addressRefusal(host, policy, { hostAllowed });
  if (METADATA_HOSTS.has(host)) {
    return `host "${host}" is a cloud metadata service; always refused`;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (policy.allowLoopback || hostAllowed) return undefined;
    return `host "${host}" is a loopback name; refused unless loopback addresses are allowed`;
  }
  return undefined;
}
