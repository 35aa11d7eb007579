import { html } from 'hono/html';
import { stringify } from 'yaml';
import { formatSecretRef } from '@mlx-gateway/shared/config';
import type { GatewayConfig, SecretRef } from '@mlx-gateway/shared/config';
import { redactDeep, scrubSecrets } from '@mlx-gateway/shared/security';
import type { ApplyReport } from './dashboard-deps.js';
import type { LineProblem } from './config-validate.js';
import type { Markup } from './layout.js';

function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v['kind'] === 'env' || v['kind'] === 'store') &&
    typeof v['name'] === 'string' &&
    Object.keys(v).length === 2
  );
}

function showRefs(value: unknown): unknown {
  if (isSecretRef(value)) return formatSecretRef(value);
  if (Array.isArray(value)) return value.map(showRefs);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, showRefs(v)]));
  }
  return value;
}

/**
 * The effective config as YAML with secrets masked, as `config check --verbose` shows it:
 * `redactDeep` (credential-named keys and secret-shaped strings), secret references shown as
 * `${env:NAME}` / `${secret:NAME}` (they name a secret, never hold one), and the result
 * scrubbed once more for any registered value.
 */
export function effectiveConfigYaml(config: GatewayConfig): string {
  return scrubSecrets(stringify(showRefs(redactDeep(config))));
}

export function problemsList(problems: LineProblem[]): Markup {
  return html`<ul class="problems">
    ${problems.map(
      (p) =>
        html`<li data-line="${p.line ?? ''}">
          ${p.line === undefined ? '' : html`<strong>line ${p.line}</strong>: `}${p.path === '' ? '' : html`<code>${p.path}</code>: `}${p.message}
        </li>`,
    )}
  </ul>`;
}

export function applyResult(report: ApplyReport): Markup {
  return html`<ul class="${report.ok ? 'ok-note' : 'problems'}">
    ${report.messages.map((m) => html`<li>${scrubSecrets(m)}</li>`)}
  </ul>`;
}

export function configPage(p: { effective: string; text: string; file: string }): Markup {
  return html`<section class="card">
      <h2>Edit <code>${p.file}</code></h2>
      <form hx-post="/dashboard/config/check" hx-target="#config-result" hx-swap="innerHTML">
        <textarea class="config" name="text" spellcheck="false" aria-label="config file">
${p.text}</textarea>
        <p>
          <button type="submit">Check</button>
          <button
            type="button"
            hx-post="/dashboard/config/apply"
            hx-include="closest form"
            hx-target="#config-result"
            hx-swap="innerHTML"
            hx-confirm="Write this config and reload the gateway?"
          >
            Apply
          </button>
        </p>
      </form>
      <div id="config-result" aria-live="polite"></div>
    </section>
    <section class="card">
      <h2>Effective config (secrets masked)</h2>
      <pre class="log">${p.effective}</pre>
    </section>`;
}
