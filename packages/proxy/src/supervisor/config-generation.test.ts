import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '@mlx-gateway/protocol';
import { localModelFingerprint } from '@mlx-gateway/shared/config';
import { localModel, remoteModel } from '../testing/test-config.js';
import { configDifferenceMessage, configDifferences } from './config-generation.js';

const same = localModel('same');
const edited = localModel('edited', { argv: ['mlx-openai-server', 'launch', '--new-flag'] });
const info = (name: string, configFingerprint?: string): ModelInfo => ({
  name,
  state: 'stopped',
  since: 0,
  leases: 0,
  ...(configFingerprint !== undefined ? { configFingerprint } : {}),
});

describe('configDifferences', () => {
  it('finds local models the supervisor lacks or runs with another config', () => {
    const snapshot = {
      incarnation: 'i',
      seq: 0,
      models: [
        info('same', localModelFingerprint(same)),
        info('edited', localModelFingerprint(localModel('edited'))),
      ],
    };
    const models = [same, edited, localModel('newcomer'), remoteModel('cloud', 'https://x/v1')];
    const differences = configDifferences(models, snapshot);
    expect(differences).toEqual({ unknown: ['newcomer'], changed: ['edited'] });
    expect(configDifferenceMessage(differences)).toBe(
      'the proxy and the supervisor run different versions of the config (not known to the ' +
        'supervisor: newcomer; configured differently in the supervisor: edited); restart both ' +
        'with `mlx-gateway down` then `mlx-gateway up`',
    );
  });

  it('compares by name only with a supervisor that publishes no fingerprint', () => {
    const snapshot = { incarnation: 'i', seq: 0, models: [info('edited')] };
    const differences = configDifferences([edited], snapshot);
    expect(differences).toEqual({ unknown: [], changed: [] });
    expect(configDifferenceMessage(differences)).toBeUndefined();
  });
});
