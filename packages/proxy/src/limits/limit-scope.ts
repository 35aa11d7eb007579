import { budgetWindow, minuteWindow } from '@mlx-gateway/shared/clients';
import type { ClientLimits, LimitWindow } from '@mlx-gateway/shared/clients';

/** Whose limits: a client key's (every request of the key) or a model's (every caller's). */
export type ScopeKind = 'client' | 'model';

/**
 * The limits of one client key or one model, with what a check needs made once: the refusal's
 * name for it, the limits as header text, and the counter keys of the current windows (made
 * again only when a window ends). Client-key counters use the keys `mlx-gateway keys
 * list-clients` reads (`limits:<client>:…`, shared limitKeys); model counters live under
 * `model-limits:<model>:…`.
 */
export class LimitScope {
  /** `client key "ci"`, `model "gpt-4o"`: how refusals name it. */
  readonly label: string;
  readonly rpmText: string;
  readonly tpmText: string;
  readonly inflightKey: string;
  private readonly prefix: string;
  private minute: LimitWindow = { id: '', resetAt: -Infinity };
  private minuteKeys = { requests: '', tokens: '' };
  private budget: LimitWindow = { id: '', resetAt: -Infinity };
  private budgetKey = '';
  /** When the budget window was found: a clock set back looks it up again. */
  private budgetFrom = Infinity;

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly limits: ClientLimits,
  ) {
    this.label = kind === 'client' ? `client key "${name}"` : `model "${name}"`;
    this.prefix = kind === 'client' ? `limits:${name}:` : `model-limits:${name}:`;
    this.rpmText = String(limits.rpm ?? '');
    this.tpmText = String(limits.tpm ?? '');
    this.inflightKey = `${this.prefix}inflight`;
  }

  /** The current minute (UTC) and its request and token counter keys. */
  minuteAt(now: number): { window: LimitWindow; requests: string; tokens: string } {
    if (now >= this.minute.resetAt || now < this.minute.resetAt - 60_000) {
      this.minute = minuteWindow(now);
      this.minuteKeys = {
        requests: `${this.prefix}rpm:${this.minute.id}`,
        tokens: `${this.prefix}tpm:${this.minute.id}`,
      };
    }
    return { window: this.minute, ...this.minuteKeys };
  }

  /** The budget's current day or month (UTC) and its counter key; undefined without a budget. */
  budgetAt(now: number): { window: LimitWindow; key: string } | undefined {
    const per = this.limits.budget?.per;
    if (per === undefined) return undefined;
    if (now >= this.budget.resetAt || now < this.budgetFrom) {
      this.budget = budgetWindow(per, now);
      this.budgetFrom = now;
      this.budgetKey = `${this.prefix}budget:${this.budget.id}`;
    }
    return { window: this.budget, key: this.budgetKey };
  }
}

/** The scope of each limits object, made on first use (a key's or model's limits never change in place). */
export class LimitScopes {
  private readonly scopes = new WeakMap<ClientLimits, LimitScope>();

  for(kind: ScopeKind, name: string, limits: ClientLimits): LimitScope {
    let scope = this.scopes.get(limits);
    if (scope === undefined || scope.name !== name || scope.kind !== kind) {
      scope = new LimitScope(kind, name, limits);
      this.scopes.set(limits, scope);
    }
    return scope;
  }
}
