import { budgetWindow, minuteWindow, scopeLimitKeys } from '@mlx-gateway/shared/clients';
import type {
  ClientLimits,
  LimitScopeKind,
  LimitWindow,
  ScopeLimitKeys,
} from '@mlx-gateway/shared/clients';

/** A minute window with its request and token counter keys. */
export interface MinuteKeys {
  readonly window: LimitWindow;
  readonly requests: string;
  readonly tokens: string;
}

/** A budget window (day or month) with its counter key. */
export interface BudgetKey {
  readonly window: LimitWindow;
  readonly key: string;
}

/** Whose limits: a client key's (every request of the key) or a model's (every caller's). */
export type ScopeKind = LimitScopeKind;

/**
 * The limits of one client key or one model, with what a check needs made once: the refusal's
 * name for it, the limits as header text, and the counter keys of the current windows (made
 * again only when a window ends). The keys are shared scopeLimitKeys (`limits:<client>:…`,
 * `model-limits:<model>:…`), which `mlx-gateway keys list-clients` and GET /v1/gateway/limits
 * read too.
 */
export class LimitScope {
  /** `client key "ci"`, `model "gpt-4o"`: how refusals name it. */
  readonly label: string;
  readonly rpmText: string;
  readonly tpmText: string;
  readonly inflightKey: string;
  private readonly keys: ScopeLimitKeys;
  /** The current minute and its keys, one object per window (a check reads it, never copies it). */
  private minute: MinuteKeys = { window: { id: '', resetAt: -Infinity }, requests: '', tokens: '' };
  private budget: BudgetKey = { window: { id: '', resetAt: -Infinity }, key: '' };
  /** When the budget window was found: a clock set back looks it up again. */
  private budgetFrom = Infinity;

  constructor(
    readonly kind: ScopeKind,
    readonly name: string,
    readonly limits: ClientLimits,
  ) {
    this.label = kind === 'client' ? `client key "${name}"` : `model "${name}"`;
    this.keys = scopeLimitKeys(kind, name);
    this.rpmText = String(limits.rpm ?? '');
    this.tpmText = String(limits.tpm ?? '');
    this.inflightKey = this.keys.inflight;
  }

  /** The current minute (UTC) and its request and token counter keys. */
  minuteAt(now: number): MinuteKeys {
    const { resetAt } = this.minute.window;
    if (now >= resetAt || now < resetAt - 60_000) {
      const window = minuteWindow(now);
      this.minute = {
        window,
        requests: this.keys.requests(window),
        tokens: this.keys.tokens(window),
      };
    }
    return this.minute;
  }

  /** The budget's current day or month (UTC) and its counter key; undefined without a budget. */
  budgetAt(now: number): BudgetKey | undefined {
    const per = this.limits.budget?.per;
    if (per === undefined) return undefined;
    if (now >= this.budget.window.resetAt || now < this.budgetFrom) {
      const window = budgetWindow(per, now);
      this.budget = { window, key: this.keys.budget(window) };
      this.budgetFrom = now;
    }
    return this.budget;
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
