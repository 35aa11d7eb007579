import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { proxyHeap } from '../support/heap-debug.js';
import { standinModel } from '../support/processes.js';
import { streamChat } from '../support/sse-client.js';
import { standinStats } from '../support/standin-stats.js';
import { modelPort, startStreamingGateway } from '../support/streaming-gateway.js';

// Every token is one 32 KB word, so one answer is ~130 MB: far more than the socket buffers
// between the stand-in, the proxy and the client can hold (a few MB each on loopback).
const WORD = 'x'.repeat(32 * 1024);
const TOKENS = 4_000;
const MB = 1024 * 1024;

let gateway: (TestGateway & { url: string }) | undefined;
let held: IncomingMessage | undefined;
afterEach(async () => {
  held?.destroy();
  held = undefined;
  await gateway?.stop();
  gateway = undefined;
});

const body = JSON.stringify({
  model: 'firehose',
  messages: [{ role: 'user', content: WORD }],
  stream: true,
});

/** Reads a whole response as fast as possible, counting its bytes only. */
async function readAll(url: string): Promise<number> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  return bytes;
}

/** Memory the proxy holds in JS objects and buffers, after a full GC. */
const heldBytes = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.arrayBuffers;

describe('a client that reads slowly', () => {
  it('does not make the proxy buffer the stream: the proxy stops reading, the stand-in blocks on its writes, memory stays flat, and nothing is lost when the client reads again', async () => {
    const g = await startStreamingGateway({
      models: standinModel('firehose', { MLX_STANDIN_TOKENS: TOKENS }),
      heapDebug: true,
    });
    gateway = g;
    const warm = await streamChat(`${g.url}/v1/chat/completions`, {
      ...JSON.parse(body),
      max_tokens: 2,
    });
    expect(warm.events.at(-1)).toBe('[DONE]');
    const port = await modelPort(g, 'firehose');
    const direct = `http://127.0.0.1:${port}/v1/chat/completions`;
    const baseline = await proxyHeap(g.url);
    const before = await standinStats(port);

    // The slow client: takes the first event, then stops reading (its socket paused).
    const req = httpRequest(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      agent: false,
    });
    req.end(body);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    held = res;
    expect(res.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer): void => {
        chunks.push(chunk);
        if (!Buffer.concat(chunks).includes('\n\n')) return;
        res.off('data', onData);
        res.pause();
        res.socket.pause();
        resolve();
      };
      res.on('data', onData);
    });

    // Meanwhile the stand-in serves two identical answers at full speed to a client that
    // reads. Had the proxy kept reading the held stream, it would have finished by then too.
    const sizes: number[] = [];
    const samples: NodeJS.MemoryUsage[] = [];
    for (let i = 0; i < 2; i++) {
      sizes.push(await readAll(direct));
      samples.push(await proxyHeap(g.url));
    }
    expect(sizes[0]).toBeGreaterThan(TOKENS * WORD.length);
    const during = await standinStats(port);
    expect(during.completed - before.completed, 'the held stream ran to its end').toBe(2);
    expect(during.active).toBe(1);
    for (const sample of samples) {
      expect(heldBytes(sample) - heldBytes(baseline), 'proxy heap + buffers grew').toBeLessThan(
        16 * MB,
      );
      expect(sample.rss - baseline.rss, 'proxy RSS grew').toBeLessThan(64 * MB);
    }

    // The client reads again: the whole answer arrives, in order, nothing lost.
    let events = 0;
    let last = '';
    const parser = createParser({
      onEvent: (e) => {
        events += 1;
        last = e.data;
      },
    });
    for (const chunk of chunks) parser.feed(chunk.toString('utf8'));
    res.socket.resume();
    res.resume();
    for await (const chunk of res) parser.feed((chunk as Buffer).toString('utf8'));
    held = undefined;
    // role chunk + one per token + the final chunk + [DONE]
    expect(events).toBe(TOKENS + 3);
    expect(last).toBe('[DONE]');
    const after = await standinStats(port);
    expect(after.completed - before.completed).toBe(3);
    expect(after.active).toBe(0);
  });
});
