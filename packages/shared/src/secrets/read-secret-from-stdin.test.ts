import { PassThrough } from 'node:stream';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { readSecretFromStdin, type SecretInput } from './read-secret-from-stdin.js';

function output(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

/** A stdin that claims to be a terminal and records raw-mode switches. */
function fakeTty(): PassThrough & SecretInput & { rawModes: boolean[] } {
  const input = new PassThrough() as PassThrough & SecretInput & { rawModes: boolean[] };
  input.isTTY = true;
  input.rawModes = [];
  input.setRawMode = (mode: boolean) => {
    input.rawModes.push(mode);
    return input;
  };
  return input;
}

describe('readSecretFromStdin', () => {
  it('reads all of piped stdin and drops the trailing newline', async () => {
    const input = new PassThrough();
    const out = output();
    const reading = readSecretFromStdin({ input, output: out.stream });
    input.write('sk-piped-');
    input.end('0123456789\n');
    expect(await reading).toBe('sk-piped-0123456789');
    expect(out.text()).toBe('');
  });

  it('refuses empty input', async () => {
    const input = new PassThrough();
    const reading = readSecretFromStdin({ input, output: output().stream });
    input.end('\n');
    await expect(reading).rejects.toMatchObject({ code: ErrorCodes.INVALID_REQUEST });
  });

  it('prompts on a terminal and reads without echo, honouring backspace', async () => {
    const input = fakeTty();
    const out = output();
    const reading = readSecretFromStdin({ input, output: out.stream, prompt: 'Key: ' });
    input.write('sk-typed-abX');
    input.write('\u007f');
    input.write('c123\r');
    expect(await reading).toBe('sk-typed-abc123');
    expect(out.text()).toBe('Key: \n');
    expect(input.rawModes).toEqual([true, false]);
  });

  it('cancels on Ctrl-C and restores the terminal', async () => {
    const input = fakeTty();
    const reading = readSecretFromStdin({ input, output: output().stream });
    input.write('sk-part\u0003');
    await expect(reading).rejects.toThrow('cancelled');
    expect(input.rawModes).toEqual([true, false]);
  });
});
