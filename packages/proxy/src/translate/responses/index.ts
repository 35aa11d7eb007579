export type * from './types.js';
export {
  responsesToChatRequest,
  type ResponsesToChatOptions,
  type ResponsesToChatResult,
} from './responses-to-chat-request.js';
export { chatToResponse } from './chat-to-response.js';
export {
  ChatToResponsesStream,
  responsesFrame,
  type ResponsesStreamFailure,
} from './chat-to-response-stream.js';
export { newResponseId, responseShell, type ResponseContext } from './response-shell.js';
