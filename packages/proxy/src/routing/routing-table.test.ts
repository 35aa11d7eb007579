import { describe, expect, it } from 'vitest';
import { RouteTable } from '@mlx-gateway/shared/config';
import type { ProviderConfig, RoutingConfig } from '@mlx-gateway/shared/config';
import {
  allCapabilities,
  chatOnly,
  localModel,
  remoteModel,
  roomyTimeouts,
} from '../testing/test-config.js';
import { ModelRouter } from './model-router.js';

/** The router of a config's models and routing sections, as the proxy builds it. */
function routerOf(...config: ConstructorParameters<typeof RouteTable>): ModelRouter {
  return new ModelRouter(new RouteTable(...config));
}

function provider(name: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    name,
    backend: 'openai-compatible',
    baseUrl: `https://${name}.example.com/v1`,
    allowPrivateNetwork: false,
    headers: {},
    capabilities: allCapabilities,
    timeouts: roomyTimeouts,
    ...overrides,
  };
}

const openai = provider('openai', { backend: 'openai' });
const groq = provider('groq', { capabilities: chatOnly });
const other = provider('other');

const routing: RoutingConfig = {
  prefixes: [
    { prefix: 'g/', provider: 'groq', strip: true },
    { prefix: 'keep/', provider: 'groq', strip: false },
    { prefix: 'g/deep/', provider: 'other', strip: true },
    { prefix: 'local/', provider: 'mlx', strip: true },
  ],
  rules: [
    { match: '^gpt-(4o.*)$', provider: 'openai', upstreamModel: 'upstream-$1', fallbacks: [] },
    { match: '^gpt-', provider: 'other', fallbacks: [] },
    { match: '^tiny', provider: 'other', fallbacks: [] },
    { match: '^openai/', provider: 'other', fallbacks: [] },
    { match: '^qwen', model: 'tiny', fallbacks: ['openai/gpt-4o-mini', 'cloud'] },
    { match: '^(a)(b)?-(.*)$', provider: 'other', upstreamModel: '$3:$2:$0:$$1', fallbacks: [] },
  ],
};

const tiny = localModel('tiny', { aliases: ['tiny-alias'], fallbacks: ['cloud'] });
const cloud = remoteModel('cloud', 'https://cloud.example.com/v1', { upstreamModel: 'cloud-v2' });
const exactPrefixed = remoteModel('openai/special', 'https://special.example.com/v1', {
  upstreamModel: 'special-exact',
});
const withPrefixedFallback = localModel('small', { fallbacks: ['g/llama-3-8b'] });

function router(): ModelRouter {
  return routerOf([tiny, cloud, exactPrefixed, withPrefixedFallback], {
    providers: [openai, groq, other],
    routing,
  });
}

function route(r: ModelRouter, name: string) {
  const resolution = r.resolve(name);
  return resolution
    ? {
        matchedBy: resolution.matchedBy,
        targets: resolution.targets.map((t) => [
          t.name,
          t.provider ?? t.model.name,
          t.upstreamModel,
        ]),
      }
    : undefined;
}

describe('routing table: precedence', () => {
  const r = router();

  it('an exact configured name beats a prefix that would also match it', () => {
    expect(route(r, 'openai/special')).toEqual({
      matchedBy: 'exact',
      targets: [['openai/special', 'openai/special', 'special-exact']],
    });
  });

  it('an alias beats a regex rule that would also match it', () => {
    expect(route(r, 'tiny-alias')).toEqual({
      matchedBy: 'alias',
      targets: [
        ['tiny', 'tiny', 'tiny'],
        ['cloud', 'cloud', 'cloud-v2'],
      ],
    });
  });

  it('a prefix beats a regex rule that would also match it', () => {
    expect(route(r, 'openai/gpt-4o')).toEqual({
      matchedBy: 'prefix',
      targets: [['openai/gpt-4o', 'openai', 'gpt-4o']],
    });
  });

  it('the first matching rule wins', () => {
    expect(route(r, 'gpt-4o-mini')?.targets).toEqual([
      ['gpt-4o-mini', 'openai', 'upstream-4o-mini'],
    ]);
    expect(route(r, 'gpt-3.5-turbo')?.targets).toEqual([
      ['gpt-3.5-turbo', 'other', 'gpt-3.5-turbo'],
    ]);
  });

  it('the longest matching prefix wins, whatever the order written', () => {
    expect(route(r, 'g/deep/model')?.targets).toEqual([['g/deep/model', 'other', 'model']]);
    expect(route(r, 'g/llama-3-8b')?.targets).toEqual([['g/llama-3-8b', 'groq', 'llama-3-8b']]);
  });

  it('nothing routes a name that matches no name, alias, prefix or rule', () => {
    expect(r.resolve('zephyr')).toBeUndefined();
    expect(r.resolve('g/')).toBeUndefined();
  });
});

describe('routing table: prefixes', () => {
  const r = router();

  it('strips the prefix from the upstream model id by default, and keeps it with strip: false', () => {
    expect(route(r, 'g/mixtral')?.targets).toEqual([['g/mixtral', 'groq', 'mixtral']]);
    expect(route(r, 'keep/meta-llama/llama-3')?.targets).toEqual([
      ['keep/meta-llama/llama-3', 'groq', 'keep/meta-llama/llama-3'],
    ]);
  });

  it('gives every provider its built-in `<name>/` prefix', () => {
    expect(route(r, 'groq/mixtral')?.targets).toEqual([['groq/mixtral', 'groq', 'mixtral']]);
    expect(route(r, 'other/x')?.targets).toEqual([['other/x', 'other', 'x']]);
  });

  it('lets a configured prefix replace a built-in one', () => {
    const replaced = routerOf([], {
      providers: [openai, other],
      routing: { prefixes: [{ prefix: 'openai/', provider: 'other', strip: false }], rules: [] },
    });
    expect(route(replaced, 'openai/gpt-4o')?.targets).toEqual([
      ['openai/gpt-4o', 'other', 'openai/gpt-4o'],
    ]);
  });

  it('routes mlx/<name> and other local prefixes to the configured local model, name or alias, with its fallbacks', () => {
    const expected = [
      ['tiny', 'tiny', 'tiny'],
      ['cloud', 'cloud', 'cloud-v2'],
    ];
    expect(route(r, 'mlx/tiny')).toEqual({ matchedBy: 'prefix', targets: expected });
    expect(route(r, 'mlx/tiny-alias')?.targets).toEqual(expected);
    expect(route(r, 'local/tiny')?.targets).toEqual(expected);
  });

  it('does not route mlx/<name> to a remote model or to a name that is not configured', () => {
    expect(r.resolve('mlx/cloud')).toBeUndefined();
    expect(r.resolve('mlx/tiny2')).toBeUndefined();
  });

  it('gives provider targets the provider’s capabilities, timeouts and backend', () => {
    const [target] = r.resolve('g/mixtral')?.targets ?? [];
    expect(target?.model.capabilities).toEqual(chatOnly);
    expect(target?.model.timeouts).toEqual(roomyTimeouts);
    expect(target?.model).toMatchObject({
      kind: 'remote',
      backend: 'openai-compatible',
      baseUrl: 'https://groq.example.com/v1',
    });
  });

  it('shares one settings object per provider across every name routed to it', () => {
    expect(r.resolve('g/a')?.targets[0]?.model).toBe(r.resolve('groq/b')?.targets[0]?.model);
  });
});

describe('routing table: regex rules', () => {
  const r = router();

  it('substitutes $N groups, $0 and $$ in the upstream model id (an unmatched group is empty)', () => {
    expect(route(r, 'a-x')?.targets).toEqual([['a-x', 'other', 'x::a-x:$1']]);
    expect(route(r, 'ab-x')?.targets).toEqual([['ab-x', 'other', 'x:b:ab-x:$1']]);
  });

  it('sends the requested name upstream when the rule has no upstreamModel', () => {
    expect(route(r, 'tinyllama')?.targets).toEqual([['tinyllama', 'other', 'tinyllama']]);
  });

  it('routes a model rule to the configured model with its fallbacks, then the rule’s fallbacks', () => {
    expect(route(r, 'qwen2.5')).toEqual({
      matchedBy: 'rule',
      targets: [
        ['tiny', 'tiny', 'tiny'],
        ['cloud', 'cloud', 'cloud-v2'],
        ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
      ],
    });
  });

  it('resolves fallbacks given as prefixed names', () => {
    expect(route(r, 'small')?.targets).toEqual([
      ['small', 'small', 'small'],
      ['g/llama-3-8b', 'groq', 'llama-3-8b'],
    ]);
  });
});

describe('routing table: reuse and bounds', () => {
  it('returns the same resolution for repeated lookups of a prefixed or rule-matched name', () => {
    const r = router();
    expect(r.resolve('openai/gpt-4o')).toBe(r.resolve('openai/gpt-4o'));
    expect(r.resolve('gpt-4o')).toBe(r.resolve('gpt-4o'));
  });

  it('keeps a bounded number of resolutions however many names clients send', () => {
    const r = router();
    const first = r.resolve('openai/name-0');
    for (let i = 1; i <= 2_000; i++) r.resolve(`openai/name-${i}`);
    const again = r.resolve('openai/name-0');
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('matches no prefix or rule for a name over 256 characters', () => {
    const r = router();
    expect(r.resolve(`openai/${'x'.repeat(250)}`)).toBeUndefined();
    expect(r.resolve(`openai/${'x'.repeat(249)}`)).toBeDefined();
  });
});

describe('routing table: the 404', () => {
  const r = router();

  it('suggests the closest configured names', () => {
    const err = r.notFound('tinny');
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.message).toBe(
      "model 'tinny' is not configured; did you mean 'tiny'? (see GET /v1/models)",
    );
  });

  it('suggests local models for an unknown mlx/<name>', () => {
    expect(r.notFound('mlx/tiny2').message).toBe(
      "model 'mlx/tiny2': no local model 'tiny2' is configured; did you mean 'mlx/tiny'? (see GET /v1/gateway/models)",
    );
  });

  it('says how to configure a well-known provider whose prefix is used but that is not configured', () => {
    const bare = routerOf([tiny, cloud]);
    const message = bare.notFound('anthropic/claude-sonnet-4-5').message;
    expect(message).toContain("no provider 'anthropic' is configured");
    expect(message).toContain(
      'providers: { anthropic: { backend: anthropic, apiKey: "${env:ANTHROPIC_API_KEY}" } }',
    );
    expect(bare.notFound('vllm/qwen').message).toContain('backend: openai-compatible');
    expect(bare.notFound('constructor/x').message).toMatch(
      /^model 'constructor\/x' is not configured/,
    );
  });

  it('does not compare a huge name with every configured one', () => {
    const message = r.notFound('q'.repeat(100_000)).message;
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('(100000 characters)');
  });
});

describe('routing table: config consistency', () => {
  it('refuses a rule naming a provider that is not configured', () => {
    expect(() =>
      routerOf([], {
        routing: { prefixes: [], rules: [{ match: 'x', provider: 'nope', fallbacks: [] }] },
      }),
    ).toThrow(/provider 'nope'/);
  });

  it('refuses a rule fallback that nothing routes', () => {
    expect(() =>
      routerOf([localModel('tiny')], {
        routing: { prefixes: [], rules: [{ match: 'x', model: 'tiny', fallbacks: ['nope/x'] }] },
      }),
    ).toThrow(/fallback 'nope\/x'/);
  });
});
