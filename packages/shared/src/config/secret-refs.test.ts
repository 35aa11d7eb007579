import { describe, expect, it } from 'vitest';
import {
  containsApiKeyShape,
  formatSecretRef,
  maskSecret,
  parseSecretRef,
  redactApiKeys,
} from './secret-refs.js';

describe('secret references', () => {
  it('parses ${env:NAME} and ${secret:NAME} and writes them back', () => {
    for (const text of ['${env:OPENAI_API_KEY}', '${secret:work.openai-1}']) {
      const ref = parseSecretRef(text);
      expect(ref).toBeDefined();
      expect(formatSecretRef(ref!)).toBe(text);
    }
    expect(parseSecretRef('${env:OPENAI_API_KEY}')).toEqual({
      kind: 'env',
      name: 'OPENAI_API_KEY',
    });
    expect(parseSecretRef('${secret:CLAUDE}')).toEqual({ kind: 'store', name: 'CLAUDE' });
  });

  it.each([
    'sk-abc',
    '$OPENAI_API_KEY',
    '${OPENAI_API_KEY}',
    '${env:1BAD}',
    '${secret:}',
    '${vault:X}',
    'x${env:A}',
  ])('does not take %j as a reference', (text) => {
    expect(parseSecretRef(text)).toBeUndefined();
  });

  it('masks keys by their provider prefix only', () => {
    expect(maskSecret('sk-ant-api03-xyz')).toBe('sk-ant-…(redacted)');
    expect(maskSecret('sk-proj-xyz')).toBe('sk-…(redacted)');
    expect(maskSecret('hunter2')).toBe('…(redacted)');
  });

  it('finds and redacts key-shaped text inside longer text', () => {
    expect(containsApiKeyShape('Bearer sk-abcdefghijkl')).toBe(true);
    expect(containsApiKeyShape('task-runner')).toBe(false);
    expect(redactApiKeys('a sk-ant-abcdefghijkl b sk-abcdefghijkl')).toBe(
      'a sk-ant-…(redacted) b sk-…(redacted)',
    );
  });
});
