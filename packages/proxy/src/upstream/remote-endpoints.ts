import type { GatewayConfig } from '@mlx-gateway/shared/config';

/** A remote upstream the config names, with the SSRF switch it was given. */
export interface RemoteEndpoint {
  baseUrl: string;
  allowPrivateNetwork: boolean;
}

/** Every remote upstream of the config: remote models and providers. */
export function remoteEndpoints(
  config: Pick<GatewayConfig, 'models' | 'providers'>,
): RemoteEndpoint[] {
  const out: RemoteEndpoint[] = [];
  for (const model of config.models) {
    if (model.kind === 'remote') {
      out.push({ baseUrl: model.baseUrl, allowPrivateNetwork: model.allowPrivateNetwork });
    }
  }
  for (const provider of config.providers ?? []) {
    out.push({ baseUrl: provider.baseUrl, allowPrivateNetwork: provider.allowPrivateNetwork });
  }
  return out;
}
