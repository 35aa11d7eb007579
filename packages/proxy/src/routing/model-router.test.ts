import { describe, expect, it } from 'vitest';
import { RouteTable } from '@mlx-gateway/shared/config';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { localModel, remoteModel } from '../testing/test-config.js';
import { ModelRouter } from './model-router.js';

/** The router of a config's models and routing sections, as the proxy builds it. */
function routerOf(...config: ConstructorParameters<typeof RouteTable>): ModelRouter {
  return new ModelRouter(new RouteTable(...config));
}

const qwen = localModel('qwen-7b', { aliases: ['qwen'], fallbacks: ['gpt-4o'] });
const gpt = remoteModel('gpt-4o', 'https://api.openai.com/v1', {
  aliases: ['gpt4'],
  upstreamModel: 'gpt-4o-2024-08-06',
  backend: 'openai',
});
const llama = localModel('llama-3-8b', { fallbacks: ['qwen', 'gpt-4o'] });

describe('ModelRouter', () => {
  const router = routerOf([qwen, gpt, llama]);

  it('resolves an exact name to the model followed by its fallbacks, in order', () => {
    const resolution = router.resolve('qwen-7b');
    expect(resolution?.matchedBy).toBe('exact');
    expect(resolution?.targets.map((t) => t.name)).toEqual(['qwen-7b', 'gpt-4o']);
  });

  it('resolves an alias to the model it names', () => {
    const resolution = router.resolve('gpt4');
    expect(resolution?.matchedBy).toBe('alias');
    expect(resolution?.targets).toHaveLength(1);
    expect(resolution?.targets[0]).toMatchObject({
      name: 'gpt-4o',
      upstreamModel: 'gpt-4o-2024-08-06',
    });
  });

  it('resolves fallbacks given as aliases, without repeating a target', () => {
    const withRepeat = routerOf([
      qwen,
      gpt,
      localModel('llama', { fallbacks: ['qwen', 'qwen-7b'] }),
    ]);
    expect(withRepeat.resolve('llama')?.targets.map((t) => t.name)).toEqual(['llama', 'qwen-7b']);
    expect(router.resolve('llama-3-8b')?.targets.map((t) => t.name)).toEqual([
      'llama-3-8b',
      'qwen-7b',
      'gpt-4o',
    ]);
  });

  it('returns the same resolution object for repeated lookups (nothing allocated per request)', () => {
    expect(router.resolve('qwen')).toBe(router.resolve('qwen'));
  });

  it('matches names exactly: another case or a prefix is not a configured name', () => {
    expect(router.resolve('QWEN-7B')).toBeUndefined();
    expect(router.resolve('qwen-7')).toBeUndefined();
  });

  it('lists every public name, aliases included, in config order', () => {
    expect(router.publicNames).toEqual(['qwen-7b', 'qwen', 'gpt-4o', 'gpt4', 'llama-3-8b']);
  });

  it('names the closest configured names for an unknown model and points at /v1/models', () => {
    const err = router.notFound('qwen7b');
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.message).toContain("'qwen-7b'");
    expect(err.message).toContain('see GET /v1/models');
    expect(err.message).not.toContain("'llama-3-8b'");
  });

  it('still names configured models when nothing is close', () => {
    expect(router.notFound('zzzzzzzzzz').message).toMatch(/configured models include 'qwen-7b'/);
  });

  it('refuses a config whose fallback is not a configured model', () => {
    expect(() => routerOf([localModel('a', { fallbacks: ['nope'] })])).toThrow(/fallback 'nope'/);
  });

  it('refuses an alias that is already another model’s name', () => {
    expect(() => routerOf([localModel('a'), localModel('b', { aliases: ['a'] })])).toThrow(
      /alias 'a' of model 'b'/,
    );
  });
});
