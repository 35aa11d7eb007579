import type { ProviderConfig, RemoteModelConfig } from './types.js';

/**
 * The model settings every target routed to a provider shares: its URL, key, headers,
 * capabilities and timeouts. Built once per provider, so backends can key their per-model
 * plans on this object however many model ids the provider is asked for.
 */
export function providerModel(provider: ProviderConfig): RemoteModelConfig {
  const model: RemoteModelConfig = {
    kind: 'remote',
    name: provider.name,
    aliases: [],
    upstreamModel: '',
    capabilities: provider.capabilities,
    timeouts: provider.timeouts,
    fallbacks: [],
    backend: provider.backend,
    baseUrl: provider.baseUrl,
    allowPrivateNetwork: provider.allowPrivateNetwork,
    headers: provider.headers,
    provider: provider.name,
  };
  if (provider.apiKey !== undefined) model.apiKey = provider.apiKey;
  if (provider.secretHeaders !== undefined) model.secretHeaders = provider.secretHeaders;
  return model;
}
