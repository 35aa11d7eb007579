import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetSecret, registerSecret } from '../security/redact.js';
import { createLogger } from './create-logger.js';
import type { PrimitiveFields } from './primitive-line.js';

const OPENAI = 'sk-proj-Pl4nt3dOpenAIKey0123456789abcdef';
const CLIENT = 'mgw-Pl4nt3dClientKey_0123456789abcdefghijk';
const ODD = 'odd.shaped/key~42!';

interface PrimitiveLogger {
  logPrimitives(
    level: 'info' | 'warn',
    fields: PrimitiveFields,
    msg: string,
    cleanKeys?: ReadonlySet<string>,
  ): void;
}

function capture(): {
  stream: Writable;
  text: () => string;
  lines: () => Array<Record<string, unknown>>;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

beforeEach(() => registerSecret(ODD));
afterEach(() => forgetSecret(ODD));

describe('logger.logPrimitives', () => {
  it('writes a pino-shaped line with the child’s bindings, leaving undefined fields out', () => {
    const out = capture();
    const root = createLogger({ name: 'proxy', destination: out.stream });
    const log = root.child({ component: 'http' }) as unknown as PrimitiveLogger;
    log.logPrimitives(
      'warn',
      { reqId: 'r1', status: 502, stream: false, ttfbMs: undefined, ratio: Number.NaN },
      'request',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 40,
      name: 'proxy',
      component: 'http',
      reqId: 'r1',
      status: 502,
      stream: false,
      ratio: null,
      msg: 'request',
    });
    expect(typeof line?.['time']).toBe('number');
    expect(line).not.toHaveProperty('ttfbMs');
  });

  it('scrubs keys planted in any string field, quotes and all, and censors credential-named fields', () => {
    const out = capture();
    const log = createLogger({
      name: 'proxy',
      destination: out.stream,
    }) as unknown as PrimitiveLogger;
    log.logPrimitives(
      'info',
      {
        model: `gpt-4o ${OPENAI}`,
        error: `upstream said "api_key": "quoted-value-7" and ${ODD}`,
        path: `/v1/chat?key=${CLIENT}`,
        apiKey: 'plain-but-named-secret',
      },
      `request ${CLIENT}`,
    );
    const text = out.text();
    for (const planted of [OPENAI, CLIENT, ODD, 'quoted-value-7', 'plain-but-named-secret']) {
      expect(text).not.toContain(planted);
    }
    const [line] = out.lines();
    expect(line?.['model']).toBe('gpt-4o [redacted]');
    expect(line?.['apiKey']).toBe('[redacted]');
  });

  it('writes the values of vetted keys as they are, and still censors credential-named ones', () => {
    const out = capture();
    const log = createLogger({
      name: 'proxy',
      destination: out.stream,
    }) as unknown as PrimitiveLogger;
    log.logPrimitives(
      'info',
      { reqId: 'id "quoted"', model: `m ${OPENAI}`, token: 'named-secret-value' },
      'request',
      new Set(['reqId', 'token']),
    );
    const [line] = out.lines();
    expect(line?.['reqId']).toBe('id "quoted"');
    expect(line?.['model']).toBe('m [redacted]');
    expect(line?.['token']).toBe('[redacted]');
    expect(out.text()).not.toContain(OPENAI);
  });

  it('writes nothing below the logger’s level', () => {
    const out = capture();
    const log = createLogger({ name: 'proxy', level: 'warn', destination: out.stream });
    (log as unknown as PrimitiveLogger).logPrimitives('info', { reqId: 'r1' }, 'request');
    expect(out.text()).toBe('');
  });
});
