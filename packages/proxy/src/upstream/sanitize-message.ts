import { scrubSecrets } from '@mlx-gateway/shared/security';

const MAX_LENGTH = 500;
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;
/** host:port, where host is an IPv4 or IPv6 literal, localhost or a dotted name. */
const HOST_PORT_PATTERN =
  /(?:\[[0-9a-f:.]+\]|\b\d{1,3}(?:\.\d{1,3}){3}|\blocalhost|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi;
const IPV4_PATTERN = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/**
 * Makes an upstream's error message safe to show a client: credentials scrubbed, and URLs,
 * host:port pairs, IP addresses and the upstream's own host names replaced by the public model
 * name, so nothing about the gateway's network leaks. Long messages are cut.
 */
export function sanitizeUpstreamMessage(
  message: string,
  modelName: string,
  hosts: readonly string[] = [],
): string {
  let text = scrubSecrets(message)
    .replace(URL_PATTERN, modelName)
    .replace(HOST_PORT_PATTERN, modelName)
    .replace(IPV4_PATTERN, modelName);
  for (const host of hosts) {
    if (host.length > 0) text = text.split(host).join(modelName);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
