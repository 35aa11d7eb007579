import { randomUUID } from 'node:crypto';

function randomHex(): string {
  return randomUUID().replaceAll('-', '');
}

export function newMessageId(): string {
  return `msg_${randomHex()}`;
}

export function newCompletionId(): string {
  return `chatcmpl-${randomHex()}`;
}

/** An id for a tool call the upstream sent without one; unique within the message. */
export function fallbackToolUseId(messageId: string, ordinal: number): string {
  return `toolu_${messageId.replace(/^msg_/, '')}_${ordinal}`;
}
