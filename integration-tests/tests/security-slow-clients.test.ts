import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloud } from '../support/fake-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { configureSections, startProxyWithEnv } from '../support/routing-gateway.js';

let gateway: TestGateway;
let cloud: FakeCloud;
let url: string;
let port: number;

beforeAll(async () => {
  cloud = await FakeCloud.start();
  gateway = new TestGateway();
  await configureSections(
    gateway,
    `proxy: { headersTimeout: 1s, bodyTimeout: 1s }
models:
  oa: { backend: openai-compatible, url: "${cloud.url('ok')}", apiKey: "\${env:K}", allowPrivateNetwork: true }
`,
  );
  url = await startProxyWithEnv(gateway, { K: 'sk-slow-test-key-0123456789' });
  port = Number(new URL(url).port);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await cloud?.close();
});

/** A connection that sends `text` and then nothing; resolves with all it got once closed. */
function stall(text: string): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let got = '';
  socket.on('data', (d: string) => (got += d));
  socket.on('error', () => {});
  socket.write(text);
  return { socket, answer: once(socket, 'close').then(() => got) };
}

function partialBody(path: string): string {
  const body = '{"model":"oa","messages":[{"role":"user","content":"hi"}]}';
  return `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 20)}`;
}

async function validChat(): Promise<number> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'oa', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.body.text();
  return res.statusCode;
}

describe('slow clients', () => {
  it('answers stalled bodies 408 in the caller format and stalled headers 408, while serving everyone else', async () => {
    const openai = Array.from({ length: 100 }, () => stall(partialBody('/v1/chat/completions')));
    const anthropic = Array.from({ length: 100 }, () => stall(partialBody('/v1/messages')));
    const headers = Array.from({ length: 100 }, () =>
      stall('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: appl'),
    );

    // Three hundred stalled connections do not slow anyone else down.
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(await validChat()).toBe(200);
    expect(performance.now() - started).toBeLessThan(5_000);

    for (const { answer } of openai) {
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text.toLowerCase()).toContain('connection: close');
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
        error: { message: string; type: string };
      };
      expect(body.error.message).toContain('did not arrive within 1s');
      expect(body.error.message).toContain('proxy.bodyTimeout');
    }
    for (const { answer } of anthropic) {
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
        type: string;
        error: { message: string };
      };
      expect(body.type).toBe('error');
      expect(body.error.message).toContain('proxy.bodyTimeout');
    }
    for (const { answer } of headers) {
      const text = await answer;
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({
        error: { message: expect.stringContaining('proxy.headersTimeout') },
      });
    }
    expect(await validChat()).toBe(200);
  }, 60_000);
});
