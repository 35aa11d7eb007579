import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';

/** The parts of process.stdin this needs; a fake in tests. */
export interface SecretInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

export interface ReadSecretOptions {
  input?: SecretInput;
  /** Where the prompt goes (never the typed characters). Default stderr. */
  output?: NodeJS.WritableStream;
  prompt?: string;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = '\u007f';

function noSecret(): GatewayError {
  return new GatewayError(
    ErrorCodes.INVALID_REQUEST,
    'no secret was given: pipe it on stdin (e.g. `printenv OPENAI_API_KEY | mlx-gateway keys set NAME`) or type it at the prompt',
  );
}

function readHidden(
  input: SecretInput,
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) {
          finish();
          resolve(value);
          return;
        }
        if (ch === CTRL_C) {
          finish();
          reject(new GatewayError(ErrorCodes.INVALID_REQUEST, 'cancelled'));
          return;
        }
        if (ch === BACKSPACE || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    output.write(prompt);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
  });
}

async function readAll(input: SecretInput): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a secret for the CLI, never from argv (argv shows up in `ps` and shell history):
 * on a terminal it prompts on stderr and reads without echo; otherwise it reads all of
 * stdin. Surrounding whitespace (the newline of `echo`) is removed; empty input is an error.
 */
export async function readSecretFromStdin(options: ReadSecretOptions = {}): Promise<string> {
  const input = options.input ?? (process.stdin as SecretInput);
  const output = options.output ?? process.stderr;
  const raw =
    input.isTTY && typeof input.setRawMode === 'function'
      ? await readHidden(input, output, options.prompt ?? 'Secret (input hidden): ')
      : await readAll(input);
  const value = raw.trim();
  if (value.length === 0) throw noSecret();
  return value;
}
