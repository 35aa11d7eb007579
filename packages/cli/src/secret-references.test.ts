import { describe, expect, it } from 'vitest';
import { compileConfig } from '@mlx-gateway/shared/config';
import {
  describeReference,
  findSecretRefs,
  mapSecretRefs,
  referenceStatus,
} from './secret-references.js';

const config = compileConfig(
  {
    models: {
      gpt: { backend: 'openai', apiKey: '${secret:OPENAI_KEY}' },
      other: {
        backend: 'openai-compatible',
        url: 'https://llm.example.com/v1',
        apiKey: '${env:OTHER_KEY}',
        headers: { 'x-org': '${secret:ORG_HEADER}' },
      },
    },
  },
  { home: '/tmp/gw-refs' },
);

describe('secret references in the compiled config', () => {
  it('are found with key paths that name the model', () => {
    expect(findSecretRefs(config)).toEqual([
      { path: 'models.gpt.apiKey', ref: { kind: 'store', name: 'OPENAI_KEY' } },
      { path: 'models.other.apiKey', ref: { kind: 'env', name: 'OTHER_KEY' } },
      {
        path: 'models.other.secretHeaders.x-org',
        ref: { kind: 'store', name: 'ORG_HEADER' },
      },
    ]);
  });

  it('are shown with whether they have a value, never the value', () => {
    const env = { OTHER_KEY: 'sk-value-that-must-not-show-0000' };
    const stored = { kind: 'encrypted-file' as const, names: new Set(['OPENAI_KEY']) };
    const shown = JSON.stringify(
      mapSecretRefs(config, (ref) => describeReference(ref, referenceStatus(ref, stored, env))),
    );
    expect(shown).toContain('"apiKey":"${secret:OPENAI_KEY} (stored in encrypted-file)"');
    expect(shown).toContain('"apiKey":"${env:OTHER_KEY} (set)"');
    expect(shown).toContain('"x-org":"${secret:ORG_HEADER} (not stored)"');
    expect(shown).not.toContain(env.OTHER_KEY);
    expect(referenceStatus({ kind: 'env', name: 'OTHER_KEY' }, stored, {})).toBe('unset');
    expect(referenceStatus({ kind: 'store', name: 'X' }, undefined)).toBe('unknown');
  });
});
