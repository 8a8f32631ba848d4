/**
 * The Anthropic Messages API as a codec, both ways: {@link anthropicClient} when an Anthropic SDK
 * reaches a provider of another format, {@link anthropicProvider} when the target is Anthropic.
 * Same-format calls pass through untouched and use neither. Pure.
 * @module
 */
import type { ClientCodec, ProviderCodec } from '../codec.js';
import { readAnthropicError } from './errors.js';
import { readAnthropicRequest, writeAnthropicRequest } from './request.js';
import { readAnthropicResponse, writeAnthropicResponse } from './response.js';
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from './stream.js';

/**
 * The Anthropic SDK side: reads `POST /v1/messages` bodies, writes messages and SSE streams.
 * @example
 * const read = anthropicClient.readRequest(body, { model: null, stream: false });
 * if (!read.ok) return errorResponse(read.error.status, read.error.message);
 */
export const anthropicClient: ClientCodec = {
  format: 'anthropic',
  // Anthropic puts the model and `stream` in the body, so the URL adds nothing.
  readRequest: (body) => readAnthropicRequest(body),
  writeResponse: writeAnthropicResponse,
  createEncoder: (options) => new AnthropicStreamEncoder(options),
};

/**
 * The Anthropic provider side: writes `POST /v1/messages` bodies, reads messages, SSE streams and errors.
 * @example
 * const written = anthropicProvider.writeRequest(chatRequest, { model: 'claude-sonnet-4-5', provider: 'claude', defaultMaxTokens: 4096 });
 */
export const anthropicProvider: ProviderCodec = {
  format: 'anthropic',
  framing: 'sse',
  writeRequest: writeAnthropicRequest,
  readResponse: readAnthropicResponse,
  createDecoder: () => new AnthropicStreamDecoder(),
  readError: readAnthropicError,
};

export { effortForBudget, budgetForEffort, THINKING_BUDGETS, TOOL_ERROR_PREFIX, JSON_OBJECT_INSTRUCTION } from './request.js';
export { toFinishReason, toStopReason, toChatUsage, toAnthropicUsage, toToolInput, toMessageId, RAW_ARGUMENTS_KEY } from './response.js';
export { anthropicErrorType, anthropicErrorStatus, anthropicErrorBody, readAnthropicStreamError } from './errors.js';
export { readAnthropicRequest, writeAnthropicRequest, readAnthropicResponse, writeAnthropicResponse, readAnthropicError };
export { AnthropicStreamDecoder, AnthropicStreamEncoder };
