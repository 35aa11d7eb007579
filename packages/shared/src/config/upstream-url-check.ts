import { checkUrl } from '../security/ssrf.js';

/**
 * Why a remote model's or provider's base URL may not be used, or undefined when it may: the
 * SSRF policy at config load. Loopback and private addresses pass only with
 * `allowPrivateNetwork: true`; metadata, link-local and the other always-refused ranges never
 * do. Host names are not resolved here: the proxy checks every address again when it connects.
 */
export function upstreamUrlProblem(url: string, allowPrivateNetwork: boolean): string | undefined {
  const result = checkUrl(url, { allowPrivateNetwork, allowLoopback: allowPrivateNetwork });
  if (result.ok) return undefined;
  const unlockable = / refused unless (loopback|private network) addresses are allowed$/.test(
    result.reason,
  );
  return unlockable
    ? `refused: ${result.reason}; set allowPrivateNetwork: true if this server is yours`
    : `refused: ${result.reason}`;
}
