import type { GatewayConfig, ModelConfig } from '@mlx-gateway/shared/config';

function describeModel(model: ModelConfig): string {
  const where =
    model.kind === 'local'
      ? `local, ${model.backend}${model.modelPath ? ` ${model.modelPath}` : ''}`
      : `${model.backend}${model.provider ? ` via ${model.provider}` : ''} ${model.upstreamModel}`;
  const aliases = model.aliases.length > 0 ? `; aliases ${model.aliases.join(', ')}` : '';
  const fallbacks =
    model.fallbacks.length > 0 ? `; falls back to ${model.fallbacks.join(', ')}` : '';
  return `${model.name} (${where}${aliases}${fallbacks})`;
}

/** The few lines `config check` prints by default: where it listens, models, routes. */
export function configSummary(config: GatewayConfig): string[] {
  const { host, port } = config.proxy;
  const lines = [`  listen: http://${host.includes(':') ? `[${host}]` : host}:${port}`];
  lines.push(
    config.models.length > 0
      ? `  models (${config.models.length}):`
      : '  models: none yet (add some under `models:`)',
  );
  for (const model of config.models) lines.push(`    ${describeModel(model)}`);
  const providers = config.providers ?? [];
  if (providers.length > 0) {
    lines.push(`  providers: ${providers.map((p) => `${p.name} (${p.name}/<model>)`).join(', ')}`);
  }
  const prefixes = config.routing?.prefixes ?? [];
  const rules = config.routing?.rules ?? [];
  if (prefixes.length + rules.length > 0) lines.push('  routes:');
  for (const p of prefixes) lines.push(`    prefix ${p.prefix}<model> → ${p.provider}`);
  for (const r of rules) {
    const target =
      r.model ?? `${r.provider ?? ''}${r.upstreamModel ? ` as ${r.upstreamModel}` : ''}`;
    lines.push(`    /${r.match}/ → ${target}`);
  }
  return lines;
}
