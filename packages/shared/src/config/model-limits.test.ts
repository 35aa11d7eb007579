import { describe, expect, it } from 'vitest';
import { local, problemsOf, remote } from '../testing/compile-yaml.js';

describe('model limits', () => {
  it('compiles every kind on a remote model, the budget written as text', () => {
    const model = remote(
      '  gpt: { backend: openai, limits: { rpm: 60, tpm: 100000, concurrency: 4, budget: 5m/month } }',
    );
    expect(model.limits).toEqual({
      rpm: 60,
      tpm: 100_000,
      concurrency: 4,
      budget: { tokens: 5_000_000, per: 'month' },
    });
  });

  it('compiles on a local model, the budget as a mapping; no key means no limits', () => {
    const limited = local(
      '  qwen: { modelPath: m, limits: { rpm: 10, budget: { tokens: 1000, per: day } } }',
    );
    expect(limited.limits).toEqual({ rpm: 10, budget: { tokens: 1000, per: 'day' } });
    expect(local('  qwen: { modelPath: m, limits: {} }').limits).toBeUndefined();
    expect(local('  qwen: { modelPath: m }').limits).toBeUndefined();
  });

  it('names each bad value', () => {
    const problems = problemsOf(`models:
  gpt: { backend: openai, limits: { rpm: 0, tpm: 1.5, budget: lots } }
`);
    const text = problems.join('\n');
    expect(text).toContain('models.gpt.limits.rpm');
    expect(text).toContain('models.gpt.limits.tpm');
    expect(text).toMatch(/models\.gpt\.limits\.budget.*TOKENS\/day or TOKENS\/month/);
    expect(problemsOf('models:\n  gpt: { backend: openai, limits: { burst: 3 } }\n')[0]).toMatch(
      /models\.gpt\.limits\.burst: unknown key/,
    );
  });
});
