import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  forgetSecret,
  registerSecret,
  scrubSecrets,
  scrubSecretsMemo,
} from './redact.js';

const OPENAI = 'sk-abcdefghijklmnop1234567890ABCD';
const OPENAI_PROJ = 'sk-proj-Ab3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7';
const ANTHROPIC = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AAAA';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const CLIENT = 'mgw-3q2-7w_Zk4x-TBXlNhvmH1wQxq0aFRm5Zk3v9B3yZ1E';
const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('scrubSecrets', () => {
  it.each([
    ['OpenAI key', `calling upstream with ${OPENAI} now`, OPENAI],
    ['OpenAI project key', `key=${OPENAI_PROJ}`, OPENAI_PROJ],
    ['Anthropic key', `Anthropic said no to ${ANTHROPIC}.`, ANTHROPIC],
    ['AWS access key id', `aws id ${AWS} in config`, AWS],
    ['gateway client key', `client presented ${CLIENT}`, CLIENT.slice(4)],
    ['JWT', `token ${JWT}`, JWT],
    [
      'Google API key',
      'q=AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'AIzaSyA-1234567890abcdefghijklmnopqrstu',
    ],
    ['GitHub token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB used', 'ghp_0123456789abcdefghij'],
    [
      'Hugging Face token',
      'HF_TOKEN is hf_abcdefghijklmnopqrstuvwxyzABCDEF',
      'hf_abcdefghijklmnopqrstuvwxyz',
    ],
  ])('removes a %s from free text', (_label, text, planted) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(planted);
    expect(scrubbed).toContain('[redacted]');
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl', 'Authorization: [redacted]'],
    [
      'sent Bearer zzzz9999yyyy8888 upstream',
      'zzzz9999yyyy8888',
      'sent Bearer [redacted] upstream',
    ],
    ['x-api-key: unusual-shape-key-42', 'unusual-shape-key-42', 'x-api-key: [redacted]'],
    ['X-Api-Key=short123', 'short123', 'X-Api-Key=[redacted]'],
    ['api-key=QWERTY98765', 'QWERTY98765', 'api-key=[redacted]'],
    ['{"api_key": "plain-value-1"}', 'plain-value-1', '{"api_key": "[redacted]"}'],
    ["{'apiKey': 'plain-value-2'}", 'plain-value-2', "{'apiKey': '[redacted]'}"],
    ['OPENAI_API_KEY=whatever-it-is', 'whatever-it-is', 'OPENAI_API_KEY=[redacted]'],
    ['MLX_GATEWAY_SECRET_KEY=c2VjcmV0', 'c2VjcmV0', 'MLX_GATEWAY_SECRET_KEY=[redacted]'],
    ['password=hunter2&user=bob', 'hunter2', 'password=[redacted]&user=bob'],
    ['?access_token=abc123xyz&x=1', 'abc123xyz', '?access_token=[redacted]&x=1'],
    ['client_secret: s3cr3t-v4lue', 's3cr3t-v4lue', 'client_secret: [redacted]'],
    [
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      'dXNlcjpwYXNzd29yZA',
      'Authorization: [redacted]',
    ],
    [
      'GET https://bob:pa55word@api.example.com/v1',
      'pa55word',
      'GET https://[redacted]@api.example.com/v1',
    ],
  ])('removes the value in %j', (text, planted, expected) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(planted);
    expect(scrubbed).toBe(expected);
  });

  it('removes a PEM private key block', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(scrubSecrets(`key:\n${pem}\nend`)).toBe('key:\n[redacted]\nend');
  });

  it('leaves ordinary text alone', () => {
    const text =
      'model qwen-7b: 512 prompt_tokens, max_tokens=100, "tokens": 42, token limit reached; see https://api.openai.com/v1/models';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('leaves literals after key names alone (keeps JSON valid)', () => {
    const json = '{"has_api_key":true,"token":5,"password":null}';
    expect(scrubSecrets(json)).toBe(json);
  });

  it('is idempotent', () => {
    const once = scrubSecrets(`api_key=${OPENAI} Bearer ${OPENAI} ${ANTHROPIC}`);
    expect(scrubSecrets(once)).toBe(once);
  });

  it('scrubs a registered value of any shape, also URL-encoded and JSON-escaped', () => {
    const odd = 'v3ry/odd+key"shape\\42';
    registerSecret(odd);
    try {
      expect(scrubSecrets(`upstream rejected ${odd} today`)).toBe(
        'upstream rejected [redacted] today',
      );
      expect(scrubSecrets(`?k=${encodeURIComponent(odd)}`)).toBe('?k=[redacted]');
      expect(scrubSecrets(JSON.stringify({ note: `was ${odd}` }))).toBe(
        '{"note":"was [redacted]"}',
      );
    } finally {
      forgetSecret(odd);
    }
    expect(scrubSecrets(`upstream rejected ${odd} today`)).toContain(odd);
  });

  it('ignores registered values shorter than 8 characters', () => {
    registerSecret('abc1234');
    expect(scrubSecrets('abc1234 stays')).toBe('abc1234 stays');
  });

  it('does not cut a registered value out of a longer word', () => {
    registerSecret('12345678');
    try {
      expect(scrubSecrets('{"time":1712345678901}')).toBe('{"time":1712345678901}');
      expect(scrubSecrets('pin 12345678.')).toBe('pin [redacted].');
    } finally {
      forgetSecret('12345678');
    }
  });

  it('runs in linear time on long key-like text (no catastrophic backtracking)', () => {
    const huge =
      'A'.repeat(2_000_000) +
      ' token_api_key_secret_'.repeat(20_000) +
      '//x'.repeat(50_000) +
      'eyJhbGciOiJIUzI1NiJ9'.repeat(50_000) +
      '-----BEGIN PRIVATE KEY-----'.repeat(500);
    const started = performance.now();
    const scrubbed = scrubSecrets(huge);
    expect(scrubbed.length).toBe(huge.length);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('scrubSecretsMemo', () => {
  it('answers as scrubSecrets does, for short and long values, again and again', () => {
    const values = [
      'bench-remote',
      `key ${OPENAI}`,
      `Bearer ${JWT}`,
      '',
      `${'x'.repeat(300)} ${ANTHROPIC}`,
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const value of values) expect(scrubSecretsMemo(value)).toBe(scrubSecrets(value));
    }
  });

  it('forgets what it remembered when a secret is registered or forgotten', () => {
    const value = 'model-with-a-private-suffix-x1y2z3';
    expect(scrubSecretsMemo(value)).toBe(value);
    registerSecret('x1y2z3w4-private-suffix');
    registerSecret(value);
    try {
      expect(scrubSecretsMemo(value)).toBe(REDACTED);
    } finally {
      forgetSecret(value);
      forgetSecret('x1y2z3w4-private-suffix');
    }
    expect(scrubSecretsMemo(value)).toBe(value);
  });

  it('keeps scrubbing values it has seen once among many distinct ones', () => {
    const key = `sk-${'r'.repeat(20)}`;
    for (let i = 0; i < 10_000; i += 1) {
      expect(scrubSecretsMemo(`req-${i}`)).toBe(`req-${i}`);
      if (i % 1_000 === 0) expect(scrubSecretsMemo(`hi ${key}`)).toBe(`hi ${REDACTED}`);
    }
  });
});

describe("scrubSecrets keeps the gateway's own hints", () => {
  it.each([
    'write `apiKey: ${secret:NAME}` in the model',
    'clients then send `Authorization: Bearer <key>` or `x-api-key: <key>`',
    'use apiKey: ${env:OPENAI_API_KEY} instead',
    'set `serverSecretKey: ${secret:mlx-gateway.curve-server}`',
    'token: <token>, password = <your password>',
    'Authorization: Bearer [redacted]',
  ])('leaves %j as it is', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });

  it.each([
    ['apiKey: ${secret:NAME} apiKey: real-value-123', 'apiKey: ${secret:NAME} apiKey: [redacted]'],
    [
      'Authorization: Bearer <key> then Bearer abcdefgh12345678',
      'Authorization: Bearer <key> then Bearer [redacted]',
    ],
    ['api_key=$notareference123', 'api_key=[redacted]'],
    [`\${env:${OPENAI}}`, `\${env:[redacted]}`],
  ])('still scrubs the values next to them in %j', (text, expected) => {
    expect(scrubSecrets(text)).toBe(expected);
  });
});
