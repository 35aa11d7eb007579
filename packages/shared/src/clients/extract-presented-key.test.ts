import { describe, expect, it } from 'vitest';
import { extractPresentedKey } from './extract-presented-key.js';

const KEY = 'mgw-3q2-7w_Zk4xTBXlNhvmH1wQxq0aFRm5Zk3v9B3yZ1E';

describe('extractPresentedKey', () => {
  it.each([
    ['Authorization: Bearer (OpenAI clients)', new Headers({ authorization: `Bearer ${KEY}` })],
    ['lower-case bearer and extra spaces', new Headers({ authorization: `bearer   ${KEY}  ` })],
    ['x-api-key (Anthropic clients)', new Headers({ 'x-api-key': KEY })],
    ['a Node header record', { 'X-Api-Key': KEY, host: 'localhost' }],
    ['a Node header record with Authorization', { Authorization: `Bearer ${KEY}` }],
    ['an array value', { 'x-api-key': [KEY] }],
  ])('reads the key from %s', (_label, headers) => {
    expect(extractPresentedKey(headers)).toBe(KEY);
  });

  it('prefers Authorization over x-api-key', () => {
    const headers = new Headers({ authorization: `Bearer ${KEY}`, 'x-api-key': 'other' });
    expect(extractPresentedKey(headers)).toBe(KEY);
  });

  it('falls back to x-api-key when Authorization is not a bearer token', () => {
    const headers = new Headers({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': KEY });
    expect(extractPresentedKey(headers)).toBe(KEY);
  });

  it.each([
    ['no credentials', new Headers({ accept: '*/*' })],
    ['an empty bearer', new Headers({ authorization: 'Bearer ' })],
    ['a Basic header only', new Headers({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a bearer with two tokens', new Headers({ authorization: 'Bearer a b' })],
  ])('finds nothing with %s', (_label, headers) => {
    expect(extractPresentedKey(headers)).toBeUndefined();
  });
});
