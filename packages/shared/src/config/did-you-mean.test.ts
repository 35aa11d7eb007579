import { describe, expect, it } from 'vitest';
import { closestMatches, didYouMean } from './did-you-mean.js';

describe('closestMatches', () => {
  const names = ['qwen-7b', 'qwen-14b', 'gpt-4o', 'claude-sonnet', 'llama'];

  it('finds typos, case differences and prefixes, best first', () => {
    expect(closestMatches('gpt4o', names)).toEqual(['gpt-4o']);
    expect(closestMatches('GPT-4O', names)).toEqual(['gpt-4o']);
    expect(closestMatches('qwen', names)).toEqual(['qwen-7b', 'qwen-14b']);
    expect(closestMatches('lama', names)).toEqual(['llama']);
  });

  it('finds nothing for an unrelated word', () => {
    expect(closestMatches('mistral', names)).toEqual([]);
    expect(didYouMean('mistral', names)).toBeUndefined();
  });

  it('limits the number of matches', () => {
    expect(closestMatches('qwen', names, 1)).toEqual(['qwen-7b']);
    expect(didYouMean('idelTimeout', ['idleTimeout', 'startTimeout'])).toBe(
      'did you mean "idleTimeout"?',
    );
  });
});
