// What the stream scrubber costs per relayed batch, in ns/op of this process's CPU:
// `node integration-tests/dist/bench/scrub-cost.js [--iterations N] [--shared DIR]`.
// See docs/benchmarks.md.
//
// Measures StreamScrubber#push on what a pass-through stream relays: the benchmark's own
// ~40-byte stamped event, a ~190-byte OpenAI chunk (one upstream read per event, the common
// case for a model generating tokens), a batch of 40 chunks (a fast upstream read in one go),
// and a 300-byte JSON answer (scrubBody), with the one key the benchmark registers and with
// 100 secrets (a gateway with many client keys). `--shared DIR` measures the build of
// @mlx-gateway/shared in another checkout (DIR/packages/shared/dist) instead, for a before/after.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '300000' },
    shared: { type: 'string' },
  },
});
const N = Number(values.iterations);

interface SecurityModule {
  SecretMatcher: new (
    values: Iterable<string>,
    encoding?: 'utf16' | 'latin1',
  ) => { scrub(text: string, r: string): string };
  StreamScrubber: new (matcherOf?: () => unknown) => { push(chunk: Buffer): Buffer };
}

function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

function timeNs(iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn();
  const start = cpuNs();
  for (let i = 0; i < iterations; i++) fn();
  return (cpuNs() - start) / iterations;
}

const KEY = 'sk-bench-Q7vLm2Xc9TzR4bNw8KpD1fHsZr8Hq3Lm';
const stamped = Buffer.from('data: {"i":7,"t":1764880000123.456}\n\n');
const chunk = Buffer.from(
  'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-remote","choices":[{"index":0,"delta":{"content":"t=1764880000123.456 "},"finish_reason":null}]}\n\n',
);
const batch = Buffer.concat(Array.from({ length: 40 }, () => chunk));
const answer = Buffer.from(
  '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-remote","choices":[{"index":0,"message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":10,"total_tokens":22}}',
);

/** 100 secrets of the shapes the gateway holds: client keys and provider keys. */
function manySecrets(): string[] {
  const out = [KEY];
  for (let i = 0; i < 99; i++) {
    const body = Buffer.from(`secret-${i}-${i * 7919}`).toString('base64url');
    out.push(i % 2 === 0 ? `mgw-${body}${i}` : `sk-proj-${body}x${i}`);
  }
  return out;
}

async function main(): Promise<void> {
  const modulePath =
    values.shared === undefined
      ? '@mlx-gateway/shared/security'
      : pathToFileURL(join(values.shared, 'packages/shared/dist/security/index.js')).href;
  const security = (await import(modulePath)) as SecurityModule;
  let sink: unknown;
  for (const [name, secrets] of [
    ['1 secret', [KEY]],
    ['100 secrets', manySecrets()],
  ] as const) {
    const matcher = new security.SecretMatcher(secrets, 'latin1');
    const scrubber = new security.StreamScrubber(() => matcher);
    const rows: Array<[string, Buffer, number]> = [
      ['stamped event, 38 bytes', stamped, N],
      [`OpenAI chunk, ${chunk.length} bytes`, chunk, N],
      [`40 chunks, ${batch.length} bytes`, batch, N / 20],
    ];
    for (const [label, buf, n] of rows) {
      const ns = timeNs(n, () => (sink = scrubber.push(buf)));
      process.stdout.write(
        `${name.padEnd(12)} push: ${label.padEnd(26)} ${ns.toFixed(0).padStart(7)} ns\n`,
      );
    }
    const text = answer.toString('latin1');
    const ns = timeNs(N, () => (sink = matcher.scrub(text, '[redacted]')));
    process.stdout.write(
      `${name.padEnd(12)} scrub: JSON answer, ${answer.length} bytes ${ns.toFixed(0).padStart(7)} ns\n`,
    );
  }
  void sink;
}

void main();
