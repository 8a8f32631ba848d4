/**
 * The Gemini dialect: {@link geminiClient} serves the `@google/genai` SDK (and any client of
 * `generateContent`), {@link geminiProvider} reaches the Gemini API and Vertex AI. Pure.
 * @module
 */
import type { ClientCodec, ProviderCodec } from '../codec.js';
import { readGeminiError } from './errors.js';
import { readGeminiRequest, writeGeminiRequest } from './request.js';
import { readGeminiResponse, writeGeminiResponse } from './response.js';
import { createGeminiDecoder, createGeminiEncoder } from './stream.js';

/**
 * The SDK side: reads `generateContent` bodies (model and streaming come from the URL) and writes
 * `GenerateContentResponse` bodies and SSE streams.
 * @example
 * const read = geminiClient.readRequest(body, { model: 'gemini-2.5-flash', stream: true });
 * if (read.ok) send(read.value);
 */
export const geminiClient: ClientCodec = {
  format: 'gemini',
  readRequest: readGeminiRequest,
  writeResponse: writeGeminiResponse,
  createEncoder: createGeminiEncoder,
};

/**
 * The provider side: writes `generateContent` bodies and reads answers, SSE streams and errors. The
 * caller builds the URL (`/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse`).
 * @example
 * const body = geminiProvider.writeRequest(request, { model: 'gemini-2.5-flash', provider: 'gemini', defaultMaxTokens: 4096 });
 */
export const geminiProvider: ProviderCodec = {
  format: 'gemini',
  framing: 'sse',
  writeRequest: writeGeminiRequest,
  readResponse: readGeminiResponse,
  createDecoder: createGeminiDecoder,
  readError: readGeminiError,
};
