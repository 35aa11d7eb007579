import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../security/redact.js';
import { compileConfig } from './compile-config.js';
import { USERINFO_HINT } from './remote-fields.js';

describe('the refusal of a base URL with user:password@', () => {
  it('survives the scrubbing every CLI message goes through, and hides the password', () => {
    expect(scrubSecrets(USERINFO_HINT)).toBe(USERINFO_HINT);
    let message = '';
    try {
      compileConfig(
        {
          models: {
            r: {
              backend: 'openai',
              url: 'https://bob:hunter2-pass-Zr8Hq3@api.example.com/v1',
              apiKey: '${env:OPENAI_API_KEY}',
            },
          },
        },
        { home: '/tmp/gw-home' },
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(USERINFO_HINT);
    expect(scrubSecrets(message)).toContain(USERINFO_HINT);
    expect(message).not.toContain('hunter2');
  });
});
