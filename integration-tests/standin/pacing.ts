// Plays a planned answer over time: an SSE stream one frame per token, or a JSON body after the
// time the tokens would take, with the stream misbehaviours (stall, break, error after N tokens).
import type { ServerResponse } from 'node:http';
import type { RequestBehaviour } from './behaviour.js';
import type { Generation } from './generation.js';
import { SSE_HEADERS } from './http-io.js';

export interface Frame {
  data: string;
  /** Output tokens (content or tool-argument deltas) count towards N in `*-after:N`. */
  countsAsToken: boolean;
}

export interface StreamScript {
  /** Sent after the first-token gap, before any token (the role chunk). */
  opening: string[];
  frames: Frame[];
  /** What ends the stream: final chunk(s) and [DONE]. `failed` is true after error-after:N. */
  closing: (failed: boolean) => string[];
  /** The in-band error frame(s) of error-after:N. */
  error: () => string[];
}

/** True when the stream misbehaviour should fire now, after `tokens` output tokens. */
function tripped(behaviour: RequestBehaviour, tokens: number): boolean {
  return behaviour.stream.kind !== 'normal' && tokens >= behaviour.stream.after;
}

async function writeAll(gen: Generation, chunks: readonly string[]): Promise<boolean> {
  for (const chunk of chunks) if (!(await gen.write(chunk))) return false;
  return true;
}

async function misbehave(gen: Generation, behaviour: RequestBehaviour, script: StreamScript) {
  switch (behaviour.stream.kind) {
    case 'stall-after':
      await gen.closed();
      return;
    case 'break-after':
      return gen.breakConnection();
    case 'error-after':
      if (await writeAll(gen, [...script.error(), ...script.closing(true)])) gen.end();
      return;
    case 'normal':
      return;
  }
}

export async function playStream(
  gen: Generation,
  res: ServerResponse,
  behaviour: RequestBehaviour,
  script: StreamScript,
): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  if (!(await gen.sleep(behaviour.firstTokenMs))) return;
  if (!(await writeAll(gen, script.opening))) return;
  let first = true;
  for (const frame of script.frames) {
    if (tripped(behaviour, gen.tokens)) return misbehave(gen, behaviour, script);
    if (!first && !(await gen.sleep(behaviour.tokenMs))) return;
    first = false;
    if (!(await gen.write(frame.data))) return;
    if (frame.countsAsToken) gen.tokens += 1;
  }
  if (tripped(behaviour, gen.tokens)) return misbehave(gen, behaviour, script);
  if (await writeAll(gen, script.closing(false))) gen.end();
}

export interface JsonScript {
  /** Output tokens the answer holds (its generation time is paced by them). */
  tokens: number;
  status: number;
  body: () => unknown;
  /** The 500 body of error-after:N. */
  error: () => unknown;
}

/** Writes a JSON response with the status and ends the generation as completed. */
export function finishJson(gen: Generation, res: ServerResponse, status: number, body: unknown) {
  if (gen.aborted) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  gen.end(text);
}

const generationMs = (behaviour: RequestBehaviour, tokens: number): number =>
  behaviour.firstTokenMs + behaviour.tokenMs * Math.max(0, tokens - 1);

export async function playJson(
  gen: Generation,
  res: ServerResponse,
  behaviour: RequestBehaviour,
  script: JsonScript,
): Promise<void> {
  const mode = behaviour.stream;
  if (mode.kind !== 'normal' && mode.after <= script.tokens) {
    if (!(await gen.sleep(generationMs(behaviour, mode.after)))) return;
    gen.tokens = mode.after;
    if (mode.kind === 'stall-after') await gen.closed();
    else if (mode.kind === 'break-after') await gen.breakConnection();
    else finishJson(gen, res, 500, script.error());
    return;
  }
  if (!(await gen.sleep(generationMs(behaviour, script.tokens)))) return;
  gen.tokens = script.tokens;
  finishJson(gen, res, script.status, script.body());
}
