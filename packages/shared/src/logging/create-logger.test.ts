import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { symbols } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetSecret, registerSecret } from '../security/redact.js';
import { createLogger } from './create-logger.js';

const OPENAI = 'sk-proj-Pl4nt3dOpenAIKey0123456789abcdef';
const ANTHROPIC = 'sk-ant-api03-Pl4nt3dAnthropicKey-0123456789';
const CLIENT = 'mgw-Pl4nt3dClientKey_0123456789abcdefghijk';
const AWS = 'AKIAPL4NT3DKEY123456';
const ODD = 'odd.shaped/key~42!';
const PLANTED = [
  OPENAI,
  ANTHROPIC,
  CLIENT,
  AWS,
  ODD,
  'hunter2-password',
  'cookie-value-9',
  'quoted-value-7',
];

/** A destination that keeps every line pino writes. */
function capture(): { stream: Writable; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines, text: () => lines.join('') };
}

function hits(text: string): string[] {
  return PLANTED.filter((key) => text.includes(key));
}

beforeEach(() => {
  registerSecret(ODD);
});
afterEach(() => {
  forgetSecret(ODD);
});

describe('createLogger', () => {
  it('writes no planted key anywhere, whichever way it is logged', () => {
    const out = capture();
    const log = createLogger({ name: 'test', level: 'debug', destination: out.stream });
    const err = Object.assign(new Error(`upstream refused ${OPENAI}`), { apiKey: ANTHROPIC });

    log.info(`plain message with ${OPENAI}`);
    log.info('printf %s and %j and %o', ANTHROPIC, { k: CLIENT }, { nested: { v: AWS } });
    log.info(
      { req: { headers: { authorization: `Bearer ${CLIENT}`, 'x-api-key': ANTHROPIC } } },
      'request',
    );
    log.info(
      { 'api-key': OPENAI, cookie: 'cookie-value-9', 'set-cookie': ['cookie-value-9'] },
      'top-level keys',
    );
    log.info({ upstream: { apiKey: OPENAI, api_key: ANTHROPIC, password: 'hunter2-password' } });
    log.info({ deep: { deeper: { deepest: { token: CLIENT, note: `x-api-key: ${ANTHROPIC}` } } } });
    log.info({ body: `{"api_key": "${ODD}"}`, registered: ODD }, 'registered value %s', ODD);
    log.error(err);
    log.error({ err }, 'with a message');
    log.error({ err });
    log.warn({ error: new Error(`nested ${AWS}`, { cause: new Error(`cause ${CLIENT}`) }) });
    log
      .child({ component: 'proxy', apiKey: OPENAI, note: 'secret="quoted-value-7"' })
      .info('child');
    log
      .child({ model: 'qwen' })
      .child({ reqId: 'r1' })
      .debug({ url: `https://u:${ODD}@x.test/` });
    log.info({ [OPENAI]: 'value under a key-shaped key' });
    // Each of the next three is caught by one layer only (see createLogger):
    // quoted values are escaped in the finished JSON line, so the message and fields must be
    // scrubbed before pino serializes them; a cookie three levels deep is past pino's paths.
    log.info('config has api_key="quoted-value-7"');
    log.info({ note: 'password="hunter2-password"' });
    log.info({ session: { state: { cookie: 'cookie-value-9' } } });

    expect(out.lines.length).toBe(17);
    expect(hits(out.text())).toEqual([]);
    for (const line of out.lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it("scrubs bindings of grandchildren and setBindings, keeping each level's fields", () => {
    const out = capture();
    const log = createLogger({ name: 'proxy', destination: out.stream });
    const child = log.child({ component: 'router' });
    const grandchild = child.child({ reqId: 'r-1', note: 'password="hunter2-password"' });
    grandchild.info('routed');
    child.setBindings({ backend: `openai ${OPENAI}` });
    child.info('rebound');
    expect(hits(out.text())).toEqual([]);
    const [routed, rebound] = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(routed).toMatchObject({ component: 'router', reqId: 'r-1', msg: 'routed' });
    expect(rebound).toMatchObject({ component: 'router', backend: 'openai [redacted]' });
  });

  it('keeps what makes the log useful: message, fields, child bindings, error details', () => {
    const out = capture();
    const log = createLogger({ name: 'supervisor', destination: out.stream });
    const child = log.child({ component: 'controller', model: 'qwen-7b' });
    child.info({ port: 10300, usage: { prompt_tokens: 12 } }, 'model %s ready', 'qwen-7b');
    child.error(
      Object.assign(new Error(`start failed: x-api-key: ${OPENAI}`), {
        code: 'MODEL_START_FAILED',
      }),
    );

    const [ready, failed] = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(ready).toMatchObject({
      name: 'supervisor',
      level: 30,
      component: 'controller',
      model: 'qwen-7b',
      port: 10300,
      usage: { prompt_tokens: 12 },
      msg: 'model qwen-7b ready',
    });
    expect(failed).toMatchObject({
      level: 50,
      component: 'controller',
      msg: 'start failed: x-api-key: [redacted]',
      err: {
        type: 'Error',
        message: 'start failed: x-api-key: [redacted]',
        code: 'MODEL_START_FAILED',
        stack: expect.stringContaining('start failed: x-api-key: [redacted]') as unknown,
      },
    });
  });

  it('censors the known header paths with [redacted]', () => {
    const out = capture();
    const log = createLogger({ name: 'proxy', destination: out.stream });
    log.info({ req: { headers: { authorization: 'short', host: 'localhost:8080' } } });
    const line = JSON.parse(out.lines[0] ?? '{}') as { req: { headers: Record<string, string> } };
    expect(line.req.headers).toEqual({ authorization: '[redacted]', host: 'localhost:8080' });
  });

  it('respects the level', () => {
    const out = capture();
    const log = createLogger({ name: 'quiet', level: 'warn', destination: out.stream });
    log.info('hidden');
    log.warn('shown');
    expect(out.lines).toHaveLength(1);
  });

  describe('with a file destination', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mgw-log-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('creates the file (and its directory) mode 0600 and has written each line when the call returns', async () => {
      const file = join(dir, 'logs', 'proxy.log');
      const log = createLogger({ name: 'proxy', destination: file });
      log.info({ apiKey: OPENAI }, `key ${ANTHROPIC}`);
      const text = await readFile(file, 'utf8');
      (log as unknown as Record<symbol, { end(): void }>)[symbols.streamSym]?.end();
      expect(text).toContain('"msg":"key [redacted]"');
      expect(hits(text)).toEqual([]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('buffered: creates the file mode 0600, holds lines back, and has them all after a flush', async () => {
      const file = join(dir, 'logs', 'proxy.log');
      const log = createLogger({ name: 'proxy', destination: file, buffered: true });
      const primitive = log as unknown as {
        logPrimitives(level: 'info', fields: Record<string, string>, msg: string): void;
      };
      primitive.logPrimitives('info', { model: 'm', note: `key ${OPENAI}` }, 'request');
      log.info({ apiKey: OPENAI }, 'second');
      expect(await readFile(file, 'utf8')).toBe('');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
      const text = await readFile(file, 'utf8');
      (log as unknown as Record<symbol, { end(): void }>)[symbols.streamSym]?.end();
      expect(text.trim().split('\n')).toHaveLength(2);
      expect(hits(text)).toEqual([]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  });
});

describe('createLogger level', () => {
  it('takes a level name given as a plain string (e.g. from the environment)', () => {
    const out = capture();
    const level: string = 'debug';
    createLogger({ name: 'x', level, destination: out.stream }).debug('shown');
    expect(out.lines).toHaveLength(1);
  });

  it('refuses an unknown level with the list of valid ones', () => {
    expect(() =>
      createLogger({ name: 'x', level: 'verbose', destination: capture().stream }),
    ).toThrow(/log level "verbose" is not one of trace, debug, info, warn, error, fatal, silent/);
  });
});
