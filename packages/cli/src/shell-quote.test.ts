import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the others', () => {
    expect(shellQuote('/home/me/.mlx-gateway')).toBe('/home/me/.mlx-gateway');
    expect(shellQuote('/Users/Jo Smith/gw')).toBe("'/Users/Jo Smith/gw'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('gives the shell back exactly the word, whatever it holds', () => {
    for (const word of ['a b', `q"uo'te`, '$HOME `id` \\ *', 'new\nline', '']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`], {
        encoding: 'utf8',
      });
      expect(echoed).toBe(word);
    }
  });
});
