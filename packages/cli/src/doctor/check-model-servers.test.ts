import { describe, expect, it } from 'vitest';
import { parseVersion } from './check-model-servers.js';

describe('parseVersion', () => {
  it.each([
    ['mlx-openai-server, version 1.8.2', [1, 8, 2]],
    ['1.7', [1, 7, 0]],
    ['mlx_openai_server 2.0.10 (python 3.12)', [2, 0, 10]],
  ] as const)('reads %s', (text, version) => {
    expect(parseVersion(text)).toEqual(version);
  });

  it('says nothing for output without a version', () => {
    expect(parseVersion('usage: mlx-openai-server [-h]')).toBeUndefined();
  });
});
