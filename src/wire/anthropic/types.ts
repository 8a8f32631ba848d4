/**
 * Anthropic Messages API wire shapes (`POST /v1/messages`), as the API sends and accepts them, plus the
 * small narrowing helpers the translators share. Partial on purpose: only what Sluice reads or writes is
 * modelled; unknown fields are tolerated on read. Reference: providers.md §3.
 * @module
 */
import type { Translated } from '../codec.js';

/** `cache_control` on blocks and tools: a caching hint, `{ type: 'ephemeral', ttl?: '5m' | '1h' }`. */
export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** A text block. `citations` appears on answers grounded in documents. */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl | null;
  citations?: unknown[] | null;
}

/** Where an image comes from: inline base64, a URL, or a Files API id. */
export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

/** An image block (user turns and tool results). */
export interface AnthropicImageBlock {
  type: 'image';
  source: AnthropicImageSource;
  cache_control?: AnthropicCacheControl | null;
}

/** A document block (PDF or plain text). Sluice writes only base64 PDFs. */
export interface AnthropicDocumentBlock {
  type: 'document';
  source: { type: 'base64'; media_type: 'application/pdf'; data: string };
  title?: string | null;
  cache_control?: AnthropicCacheControl | null;
}

/** A client tool call by the assistant; `input` is a JSON object, not a string. */
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** The answer to one `tool_use`, sent in the next user turn. */
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
  is_error?: boolean;
  cache_control?: AnthropicCacheControl | null;
}

/** Visible extended thinking; `signature` lets Anthropic verify it when it is sent back. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** Thinking Anthropic encrypted; opaque to everyone else. */
export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

/** A content block Sluice writes in requests. */
export type AnthropicRequestBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock;

/** A content block of an answer. Server-tool blocks (`server_tool_use`, `web_search_tool_result`, ...) are read as unknown. */
export type AnthropicResponseBlock = AnthropicTextBlock | AnthropicToolUseBlock | AnthropicThinkingBlock | AnthropicRedactedThinkingBlock;

/** One conversation turn. The API merges consecutive turns of the same role. */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicRequestBlock[];
}

/** A client tool definition; `input_schema` must be an object schema. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: { type: 'object'; [key: string]: unknown };
  strict?: boolean;
}

/** Which tool the model must call; `disable_parallel_tool_use` limits it to one call. */
export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** Extended thinking: a token budget (≥ 1024, below `max_tokens`), off, or left to the model. */
export type AnthropicThinking = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' } | { type: 'adaptive' };

/** A Messages API request, as Sluice writes it. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessage[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  thinking?: AnthropicThinking;
  metadata?: { user_id?: string };
  output_config?: { effort?: string; format?: { type: 'json_schema'; schema: Record<string, unknown> } };
  stream?: boolean;
}

/** Why the model stopped (providers.md §3.5). `null` only in `message_start`. */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

/** Token usage. `input_tokens` excludes cache reads and writes (providers.md §3.4). */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** The cache writes split by duration. */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number } | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

/** A whole (non-streaming) answer. */
export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** The `error.type` values of providers.md §3.7. */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** An error body, and the payload of a stream `error` event. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType | (string & {}); message: string };
  request_id?: string;
}

/** A stream event Sluice writes (providers.md §3.6); each is sent as `event: <type>` plus its JSON. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: Omit<AnthropicResponse, 'usage'> & { usage: Partial<AnthropicUsage> } }
  | { type: 'content_block_start'; index: number; content_block: AnthropicResponseBlock }
  | {
      type: 'content_block_delta';
      index: number;
      delta:
        | { type: 'text_delta'; text: string }
        | { type: 'input_json_delta'; partial_json: string }
        | { type: 'thinking_delta'; thinking: string }
        | { type: 'signature_delta'; signature: string };
    }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      usage: Partial<AnthropicUsage> & { output_tokens: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | AnthropicErrorBody;

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Tells whether a value is a plain JSON object (not null, not an array).
 * @param value Anything parsed from JSON.
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Raised inside a translation to stop it with a {@link TranslationError}; {@link translate} turns it
 * into a value, so nothing escapes the module as an exception.
 */
export class TranslationFailure extends Error {
  override readonly name = 'TranslationFailure';
  /** The HTTP status the caller should see. */
  readonly status: number;
  /** The field at fault, as a dotted path. */
  readonly param: string | undefined;

  /**
   * @param status 400 for a request that cannot be expressed, 502 for an answer that cannot be read.
   * @param message Names the field or feature and, where known, the provider.
   * @param param The field at fault.
   */
  constructor(status: number, message: string, param?: string) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/**
 * Runs a translation, turning a {@link TranslationFailure} into an `{ ok: false }` result.
 * @param run The translation; it throws `TranslationFailure` to refuse.
 * @returns Its value, or the refusal.
 * @example
 * translate(() => { throw new TranslationFailure(400, 'max_tokens is required', 'max_tokens'); });
 */
export function translate<T>(run: () => T): Translated<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (!(error instanceof TranslationFailure)) throw error;
    return {
      ok: false,
      error: error.param === undefined ? { status: error.status, message: error.message } : { status: error.status, message: error.message, param: error.param },
    };
  }
}

/**
 * Refuses a request with a 400.
 * @param message What cannot be expressed, and why.
 * @param param The field at fault.
 */
export function reject(message: string, param?: string): never {
  throw new TranslationFailure(400, message, param);
}
