import { ErrorCodes } from './error-codes.js';
import { formatIssues, summarizeIssues } from './format-issues.js';
import type { Command, ErrorPayload } from './messages.js';
import { CommandSchema, PROTOCOL_VERSION, RequestEnvelopeSchema } from './messages.js';

/** A request frame either decoded to a command or answered with an error payload. */
export type DecodedRequest =
  { ok: true; id: string; command: Command } | { ok: false; id: string; error: ErrorPayload };

const KNOWN_COMMANDS: readonly string[] = CommandSchema.options.map(
  (option) => option.shape.cmd.value,
);

/**
 * Validates what a ROUTER received from one peer (the frames after the routing id). Never
 * throws: anything malformed becomes an error payload, echoing the request id when one can be
 * read so that the client can match the reply.
 */
export function decodeRequest(frames: readonly Buffer[]): DecodedRequest {
  const [frame] = frames;
  if (frame === undefined || frames.length !== 1) {
    return fail('', `a request is one JSON frame; got ${frames.length} frames`);
  }
  let json: unknown;
  try {
    json = JSON.parse(frame.toString('utf8'));
  } catch {
    return fail('', 'the request is not valid JSON');
  }
  const id = isRecord(json) && typeof json.id === 'string' ? json.id : '';
  if (isRecord(json) && typeof json.v === 'number' && json.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      id,
      error: {
        code: ErrorCodes.UNSUPPORTED_VERSION,
        message: `protocol version ${json.v} is not supported; this supervisor speaks version ${PROTOCOL_VERSION} (upgrade the older side)`,
        details: { supported: PROTOCOL_VERSION, received: json.v },
      },
    };
  }
  const envelope = RequestEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issues = summarizeIssues(envelope.error.issues);
    return fail(id, `malformed request envelope: ${formatIssues(issues)}`, issues);
  }
  const body = envelope.data.body;
  if (isRecord(body) && typeof body.cmd === 'string' && !KNOWN_COMMANDS.includes(body.cmd)) {
    return fail(id, `unknown command '${body.cmd}'; known commands: ${KNOWN_COMMANDS.join(', ')}`, [
      { path: 'body.cmd', message: 'unknown command' },
    ]);
  }
  const command = CommandSchema.safeParse(body);
  if (!command.success) {
    const issues = summarizeIssues(command.error.issues, ['body']);
    return fail(id, `invalid command: ${formatIssues(issues)}`, issues);
  }
  return { ok: true, id, command: command.data };
}

function fail(
  id: string,
  message: string,
  issues?: ReturnType<typeof summarizeIssues>,
): DecodedRequest {
  return {
    ok: false,
    id,
    error: {
      code: ErrorCodes.BAD_MESSAGE,
      message,
      ...(issues === undefined ? {} : { details: { issues } }),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
