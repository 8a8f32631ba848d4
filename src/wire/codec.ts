/**
 * The contract every wire format implements so that any SDK can reach any provider. Translation goes
 * through the Chat Completions pivot (`./chat/types.ts`): a {@link ClientCodec} reads what an SDK sent
 * and writes back what it expects; a {@link ProviderCodec} writes what a provider accepts and reads
 * what it answers. Pure: no I/O, no clock, no globals; ids and timestamps come in through options.
 * @module
 */
import type { ChatChunk, ChatRequest, ChatResponse } from './chat/types.js';

/** A wire format a provider speaks. `openai`, `anthropic` and `gemini` are also SDK dialects. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'ollama';

/** A request that cannot be expressed in the target format, or a body that cannot be read. */
export interface TranslationError {
  /** 400 for the caller's request; 502 for a provider answer that cannot be parsed. */
  status: number;
  /** Names the feature or field and, where known, the provider: "tool 'x': parameters must be a JSON object schema". */
  message: string;
  /** The request field at fault, as a dotted path (`tools[0].function.parameters`). */
  param?: string;
}

/** A translation's result: the value, or why it cannot be made. */
export type Translated<T> = { ok: true; value: T } | { ok: false; error: TranslationError };

/** One framed stream event: an SSE event, an NDJSON line, or an AWS event-stream message. */
export interface StreamFrame {
  /** The SSE `event:` name or the event-stream `:event-type` (`:exception-type` for exceptions); `null` when absent. */
  event: string | null;
  /** The event's data (SSE `data:` lines joined by `\n`, the NDJSON line, the message payload as UTF-8). */
  data: string;
}

/** A provider error reduced to what every dialect can say. */
export type ProviderErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'overloaded'
  | 'timeout'
  | 'context_length'
  | 'content_policy'
  | 'server';

/** A provider's error, read from its body (or a stream error event), without headers or keys. */
export interface ProviderError {
  kind: ProviderErrorKind;
  /** The provider's HTTP status (for a mid-stream error, the status it would have had). */
  status: number;
  /** The provider's own message. */
  message: string;
  /** The provider's own error type or code (`overloaded_error`, `RESOURCE_EXHAUSTED`, `ThrottlingException`). */
  code: string | null;
}

/** What an SDK-side reader knows beyond the body: Gemini puts the model and streaming in the URL. */
export interface InboundRequest {
  /** The model named by the URL, when the dialect puts it there. */
  model: string | null;
  /** Whether the URL asks for a stream (`:streamGenerateContent`). */
  stream: boolean;
}

/** What a provider-side writer needs beyond the pivot request. */
export interface OutboundOptions {
  /** The provider's model id to send. */
  model: string;
  /** The provider's configured name, for messages ("provider 'claude' cannot ..."). */
  provider: string;
  /** `max_tokens` to send when the format requires it and the caller gave none. */
  defaultMaxTokens: number;
}

/** Turns a provider's stream frames into pivot chunks. One per stream. */
export interface StreamDecoder {
  /**
   * Reads one frame.
   * @returns The chunks it yields (often none, sometimes several).
   */
  push(frame: StreamFrame): ChatChunk[];
  /** Whether the provider sent its terminal event (a stream that ends without it was truncated). */
  readonly done: boolean;
  /** The error the provider reported in the stream, once it has. */
  readonly error: ProviderError | null;
}

/** Options of a client-side stream encoder. */
export interface EncoderOptions {
  /** The model name to show the SDK (what it asked for). */
  model: string;
  /** The response id to show the SDK. */
  id: string;
  /** Seconds since the epoch, for `created` fields. */
  created: number;
  /** OpenAI only: whether the caller asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** Turns pivot chunks into the SDK's stream text. One per stream. */
export interface StreamEncoder {
  /** Encodes one chunk; returns `''` when it yields nothing yet. */
  push(chunk: ChatChunk): string;
  /** Ends a stream whose upstream completed; returns the closing events (`[DONE]`, `message_stop`...). */
  end(): string;
  /** Ends the stream with an error event the SDK's stream reader raises. */
  error(error: ProviderError): string;
}

/** The SDK side of a dialect: read the caller's request, write the answer it expects. */
export interface ClientCodec {
  readonly format: 'openai' | 'anthropic' | 'gemini';
  /** Reads the caller's request body into the pivot; a 400 names the field it cannot accept. */
  readRequest(body: unknown, inbound: InboundRequest): Translated<ChatRequest>;
  /** Writes a pivot answer as the caller's dialect, showing `model` as the model. */
  writeResponse(response: ChatResponse, model: string): unknown;
  /** A stream encoder into the caller's dialect. */
  createEncoder(options: EncoderOptions): StreamEncoder;
}

/** The provider side of a wire format: write what it accepts, read what it answers. */
export interface ProviderCodec {
  readonly format: WireFormat;
  /** How its streams are framed. */
  readonly framing: 'sse' | 'ndjson' | 'event-stream';
  /** Writes a pivot request in this format; a 400 names a feature the provider cannot express. */
  writeRequest(request: ChatRequest, options: OutboundOptions): Translated<unknown>;
  /** Reads a whole answer; a 502 says what was wrong with it. */
  readResponse(body: unknown): Translated<ChatResponse>;
  /** A decoder for one stream. */
  createDecoder(): StreamDecoder;
  /**
   * Reads an error answer.
   * @param status The HTTP status.
   * @param body The body parsed as JSON, or its text when it is not JSON.
   */
  readError(status: number, body: unknown): ProviderError;
}
