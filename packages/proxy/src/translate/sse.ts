/** Server-sent-event framing for translated streams. */

/** An Anthropic frame: `event: <type>\ndata: <json>\n\n`. */
export function anthropicFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An OpenAI frame: `data: <json>\n\n`. */
export function openAIFrame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** The terminator OpenAI clients wait for; a translated stream always ends with it. */
export const OPENAI_DONE_FRAME = 'data: [DONE]\n\n';

/** Anthropic's heartbeat event. */
export const ANTHROPIC_PING_FRAME = anthropicFrame('ping', { type: 'ping' });
