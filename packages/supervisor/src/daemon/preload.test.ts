import type { Owner } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import type { ModelController } from '../lifecycle/model-controller.js';
import { preloadModels } from './preload.js';

const controller = (name: string, preload?: boolean) =>
  ({ name, config: { name, preload } }) as unknown as ModelController;

describe('preload', () => {
  it('starts every preload model as the gateway, without waiting, and logs how each start ended', async () => {
    const started: Array<[string, Owner]> = [];
    const logged: string[] = [];
    const logger = {
      info: (o: object, msg?: string) => logged.push(`${msg} ${JSON.stringify(o)}`),
      warn: (o: object, msg?: string) => logged.push(`${msg} ${JSON.stringify(o)}`),
      error: () => {},
    };
    let failStart!: (err: Error) => void;
    preloadModels(
      [controller('a', true), controller('b'), controller('c', false), controller('d', true)],
      (c, owner) => {
        started.push([c.name, owner]);
        return c.name === 'a'
          ? Promise.resolve()
          : new Promise<void>((_, reject) => (failStart = reject));
      },
      logger,
    );
    expect(started).toEqual([
      ['a', 'gateway'],
      ['d', 'gateway'],
    ]);
    failStart(new Error('model process exited with code 1 during start'));
    await new Promise((r) => setImmediate(r));
    expect(logged).toEqual([
      'model preloaded {"model":"a"}',
      'model preload failed {"model":"d","err":"model process exited with code 1 during start"}',
    ]);
  });
});
