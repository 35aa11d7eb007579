import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoUpstream } from '../fakes/echo-upstream.js';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { plantSecret, scanText, scanTree, type PlantedSecret } from '../support/leak-scan.js';
import { configureSections, startProxyWithEnv } from '../support/routing-gateway.js';

let gateway: TestGateway | undefined;
let upstream: EchoUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
  await gateway?.stop();
  gateway = undefined;
});

interface Exchange {
  where: string;
  status: number;
  text: string;
}

function model(name: string, backend: string, url: string, keyVar: string, extra = ''): string {
  return `  ${name}: { backend: ${backend}, url: "${url}", apiKey: "\${env:${keyVar}}", allowPrivateNetwork: true${extra} }\n`;
}

describe('no secret leaves through a relayed answer', () => {
  it('scrubs keys echoed in 200 streams (split across chunks), error events, 401 bodies and headers, on every route and backend kind', async () => {
    gateway = new TestGateway();
    const openaiKey = plantSecret('openai-compatible upstream key', 'sk-proj-');
    const anthropicKey = plantSecret('anthropic upstream key', 'sk-ant-api03-');
    const headerToken = plantSecret('credential header', 'orgtok-');

    const created = await runCli(gateway.home, ['keys', 'create-client', 'echo-client']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    const clientKey: PlantedSecret = { label: 'client key', value: key, core: key.slice(4) };
    const secrets = [openaiKey, anthropicKey, headerToken, clientKey];

    // The upstream also repeats the client's own gateway key, as if it had been in a prompt.
    upstream = await EchoUpstream.start([clientKey.value]);
    const leak = upstream.url('leak');
    const masked = upstream.url('masked401');
    const hdr = ', headers: { x-org-token: "${env:ECHO_ORG_TOKEN}" }';
    await configureSections(
      gateway,
      `models:
${model('oa', 'openai-compatible', leak, 'ECHO_OA_KEY', hdr)}${model('an', 'anthropic', leak, 'ECHO_AN_KEY')}${model('oa-401', 'openai-compatible', masked, 'ECHO_OA_KEY')}${model('an-401', 'anthropic', masked, 'ECHO_AN_KEY')}`,
    );
    const url = await startProxyWithEnv(gateway, {
      ECHO_OA_KEY: openaiKey.value,
      ECHO_AN_KEY: anthropicKey.value,
      ECHO_ORG_TOKEN: headerToken.value,
    });

    const seen: Exchange[] = [];
    const post = async (path: string, body: object, anthropic = false): Promise<Exchange> => {
      const res = await request(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(anthropic ? { 'x-api-key': key } : { authorization: `Bearer ${key}` }),
        },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      const exchange = {
        where: `${path} ${JSON.stringify(body).slice(0, 60)} (${res.statusCode})`,
        status: res.statusCode,
        text: `${JSON.stringify(res.headers)}\n${text}`,
      };
      seen.push(exchange);
      return exchange;
    };
    const chat = (m: string, stream: boolean) => ({
      model: m,
      stream,
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });

    for (const m of ['oa', 'an']) {
      for (const stream of [false, true]) {
        expect((await post('/v1/chat/completions', chat(m, stream))).status).toBe(200);
        expect((await post('/v1/messages', chat(m, stream), true)).status).toBe(200);
      }
      expect((await post('/v1/messages/count_tokens', chat(m, false), true)).status).toBe(200);
    }
    expect((await post('/v1/completions', { model: 'oa', prompt: 'hi' })).status).toBe(200);
    expect((await post('/v1/embeddings', { model: 'oa', input: 'hi' })).status).toBe(200);
    for (const m of ['oa-401', 'an-401']) {
      for (const stream of [false, true]) {
        expect((await post('/v1/chat/completions', chat(m, stream))).status).toBeGreaterThanOrEqual(
          400,
        );
        expect((await post('/v1/messages', chat(m, stream), true)).status).toBeGreaterThanOrEqual(
          400,
        );
      }
    }

    // The pass-through streams really carried the echoes (scrubbed), event by event.
    const passThrough = seen.find((s) =>
      s.where.startsWith('/v1/chat/completions {"model":"oa","stream":true'),
    );
    expect(passThrough?.text).toContain('the key is [redacted] indeed');
    expect(passThrough?.text).toContain('upstream failure');
    const anthropicStream = seen.find((s) =>
      s.where.startsWith('/v1/messages {"model":"an","stream":true'),
    );
    expect(anthropicStream?.text).toContain('event: error');

    const hits = [
      ...seen.flatMap((s) => scanText(s.where, s.text, secrets)),
      ...scanText('proxy output', gateway.proxy!.lines.join('\n'), secrets),
      ...scanTree(gateway.home, secrets).hits,
    ];
    expect(hits.map((h) => `${h.secret} (${h.form}) in ${h.where}`)).toEqual([]);
  }, 60_000);
});
