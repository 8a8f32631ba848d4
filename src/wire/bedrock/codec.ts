/**
 * The Bedrock Converse provider codec: writes Converse bodies, reads Converse answers, ConverseStream
 * events and errors. Provider side only (no SDK speaks Converse to Sluice). The model id goes in the
 * URL (`/model/{modelId}/converse` or `/converse-stream`, one encoded path segment), never the body;
 * stream bytes are framed by `EventStreamDecoder` and turned into frames by `toStreamFrame`.
 * @module
 */
import type { ProviderCodec } from '../codec.js';
import { writeConverseRequest } from './request.js';
import { readBedrockError, readConverseResponse } from './response.js';
import { BedrockStreamDecoder } from './stream.js';

/**
 * Bedrock Runtime Converse / ConverseStream.
 * @example
 * const written = bedrockProvider.writeRequest(chatRequest, { model, provider: 'bedrock', defaultMaxTokens: 4096 });
 * if (!written.ok) return errorResponse(written.error);
 * const body = JSON.stringify(written.value); // POST to /model/{encodeURIComponent(model)}/converse
 */
export const bedrockProvider: ProviderCodec = Object.freeze({
  format: 'bedrock',
  framing: 'event-stream',
  writeRequest: writeConverseRequest,
  readResponse: readConverseResponse,
  createDecoder: () => new BedrockStreamDecoder(),
  // The exception name is in the `x-amzn-ErrorType` header, which this contract does not pass: callers
  // that have it can merge it into the body as `__type`, or call `readBedrockError` with it.
  readError: (status: number, body: unknown) => readBedrockError(status, body),
} satisfies ProviderCodec);
