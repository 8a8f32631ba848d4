/**
 * The scripted behaviours of the mock provider: one discriminated union on `kind`, and its validation.
 *
 * @module
 */

/**
 * The provider dialects the mock speaks, named by what the request path says: `openai` (`/v1/...`),
 * `azure` (`/openai/...`), `anthropic` (`/v1/messages`), `gemini` (`/v1beta/models/...`), `vertex`
 * (`/v1/projects/...`, Gemini or Anthropic bodies), `bedrock` (`/model/...`) and `ollama` (`/api/chat`).
 */
export type MockDialect = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'vertex' | 'bedrock' | 'ollama';

/** Which requests may consume a step; every given field must match exactly. */
export interface MockMatch {
  /**
   * The requested model must equal this: the body's `model`, or the model (Azure deployment) the path
   * names for Azure, Gemini, Vertex and Bedrock.
   */
  model?: string;
  /**
   * The request path (without query, as sent: Bedrock model ids stay URL-encoded) must equal this,
   * e.g. `/v1/embeddings` or `/v1/files`.
   * @default any model call: `POST` to `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`,
   * `/openai/deployments/{deployment}/chat/completions` (and `/embeddings`), `/openai/v1/chat/completions`
   * (and `/responses`, `/embeddings`), `/v1/messages`, `/v1beta/models/{model}:generateContent` (and
   * `:streamGenerateContent`, also under `/v1/`), the Vertex `publishers/google` and `publishers/anthropic`
   * model actions, `/model/{modelId}/converse` (and `/converse-stream`) and `/api/chat`
   */
  path?: string;
  /** The dialect the request speaks must equal this. */
  dialect?: MockDialect;
}

/** Fields every step accepts: timing, extra headers and which request consumes it. */
export interface MockStepBase {
  /**
   * Milliseconds to wait before the status line and headers are sent.
   * @default the provider's `latencyMs` option (0)
   */
  latencyMs?: number;
  /**
   * Milliseconds to wait between two body chunks (SSE events, `raw` chunks).
   * @default the provider's `chunkDelayMs` option (0)
   */
  chunkDelayMs?: number;
  /** Extra response headers (lower-case names), overriding the generated ones. */
  headers?: Record<string, string>;
  /** Restricts the requests that consume this step; unmatched steps stay queued. */
  match?: MockMatch;
}

/** A finish reason the mock can report, as Chat Completions spells it. */
export type MockFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** One tool call in a scripted reply; `arguments` is the JSON string the model "wrote". */
export interface MockToolCall {
  /** The function name. */
  name: string;
  /** The arguments as a JSON string, streamed in fragments. */
  arguments: string;
  /**
   * The call id.
   * @default `call_mock<request number>_<index>`
   */
  id?: string;
}

/**
 * Token usage to report instead of the deterministic estimate, in OpenAI's terms; each dialect maps it
 * to its own fields (Anthropic and Bedrock report uncached input apart from cache reads and writes,
 * Gemini reports visible output apart from thoughts).
 */
export interface MockUsage {
  /** Input tokens, cached ones (read or written) included. */
  prompt_tokens: number;
  /** Output tokens, reasoning ones included. */
  completion_tokens: number;
  /**
   * Input tokens read from the prompt cache.
   * @default 0
   */
  cached_tokens?: number;
  /**
   * Input tokens written to the prompt cache (Anthropic `cache_creation_input_tokens`, Bedrock
   * `cacheWriteInputTokens`); OpenAI, Gemini and Ollama have no such field and ignore it.
   * @default 0
   */
  cache_write_tokens?: number;
  /**
   * Hidden reasoning tokens.
   * @default 0, or about a quarter of `thinking`'s length when the reply has `thinking`
   */
  reasoning_tokens?: number;
}

/**
 * A successful answer in the request's own dialect: JSON, or the dialect's stream when the request asks
 * for one (`stream: true`; Gemini `:streamGenerateContent`; Bedrock `/converse-stream`; Vertex
 * `:streamRawPredict`; Ollama unless `stream: false`).
 */
export interface MockReplyStep extends MockStepBase {
  kind: 'reply';
  /**
   * The assistant text.
   * @default `Echo: <last user text>`, or none when `toolCalls` is given
   */
  content?: string;
  /**
   * Reasoning sent before the text where the dialect has it: an Anthropic `thinking` block (with a
   * signature), Gemini `thought: true` parts, Bedrock `reasoningContent`, Ollama `message.thinking`.
   * OpenAI Chat Completions, the Responses API and embeddings ignore it.
   * @default none
   */
  thinking?: string;
  /** Tool calls to return after the content. */
  toolCalls?: readonly MockToolCall[];
  /**
   * Why generation stopped, mapped to the dialect's own reason (Anthropic `end_turn` / `max_tokens` /
   * `tool_use` / `refusal`, Gemini `STOP` / `MAX_TOKENS` / `SAFETY`, Bedrock `end_turn` / `max_tokens` /
   * `tool_use` / `content_filtered`, Ollama `stop` / `length`).
   * @default `tool_calls` when `toolCalls` is given, else `stop`
   */
  finishReason?: MockFinishReason;
  /**
   * Usage to report.
   * @default about one token per four characters of input and output
   */
  usage?: MockUsage;
  /**
   * The model the response names.
   * @default the requested model
   */
  model?: string;
}

/**
 * An HTTP error in the dialect's exact body: OpenAI `{"error":{"message","type","param","code"}}`,
 * Anthropic `{"type":"error","error":{"type","message"},"request_id"}`, Gemini and Vertex
 * `{"error":{"code","message","status"}}`, Bedrock `{"message"}` with an `x-amzn-errortype` header,
 * Ollama `{"error":"..."}`.
 */
export interface MockErrorStep extends MockStepBase {
  kind: 'error';
  /** The HTTP status (400–599); Anthropic's 529 is `overloaded_error`. */
  status: number;
  /**
   * The error type: OpenAI and Anthropic `type`, Gemini `status`, Bedrock exception name.
   * @default by status, in the dialect's terms: OpenAI `invalid_request_error` (4xx), `requests` (429),
   * `server_error` (5xx); Anthropic `rate_limit_error` (429), `overloaded_error` (529), `api_error` (5xx);
   * Gemini `RESOURCE_EXHAUSTED` (429), `UNAVAILABLE` (503), `INVALID_ARGUMENT` (400); Bedrock
   * `ThrottlingException` (429), `ValidationException` (400), `ServiceUnavailableException` (503)
   */
  type?: string;
  /**
   * The error `code` (OpenAI and Azure only).
   * @default by status, e.g. `invalid_api_key` (401), `model_not_found` (404), otherwise `null`
   */
  code?: string | null;
  /**
   * The error `param`.
   * @default null
   */
  param?: string | null;
  /**
   * The error message.
   * @default a message like the provider's for that status
   */
  message?: string;
}

/**
 * A 429 in the dialect's shape: OpenAI and Azure with `retry-after` / `retry-after-ms` and
 * `x-ratelimit-*` headers, Anthropic `rate_limit_error` with `anthropic-ratelimit-*` headers, Gemini and
 * Vertex `RESOURCE_EXHAUSTED` with a `RetryInfo.retryDelay` detail, Bedrock `ThrottlingException`, Ollama
 * `{"error"}`.
 */
export interface MockRateLimitStep extends MockStepBase {
  kind: 'rate-limit';
  /**
   * Seconds for the `retry-after` header.
   * @default 1 when `retryAfterMs` is not given either, for OpenAI, Azure and Anthropic; Gemini, Vertex,
   * Bedrock and Ollama send no `retry-after` unless asked, as the real services do not
   */
  retryAfterS?: number;
  /** Milliseconds for the `retry-after-ms` header (sent only when given). */
  retryAfterMs?: number;
}

/** Accepts the request and never sends headers, until the client goes away or the mock closes. */
export interface MockHangStep extends MockStepBase {
  kind: 'hang';
}

/** Destroys the socket (after `latencyMs`) before any header is sent. */
export interface MockResetStep extends MockStepBase {
  kind: 'reset';
}

/**
 * Sends the headers and the first `afterChunks` chunks, then nothing while keeping the connection open.
 * A non-streaming request gets the first half of its JSON body when `afterChunks > 0`.
 */
export interface MockStallStep extends MockStepBase {
  kind: 'stall';
  /** Chunks to send before stalling (clamped to the stream's length before its terminator). */
  afterChunks: number;
}

/** Sends the headers and the first `afterChunks` chunks, then destroys the socket. */
export interface MockResetMidStreamStep extends MockStepBase {
  kind: 'reset-mid-stream';
  /** Chunks to send before the reset. */
  afterChunks: number;
}

/**
 * Streaming: sends `afterChunks` good chunks, one event whose JSON is broken (an SSE event, an NDJSON
 * line, or an event-stream frame with valid CRCs around a cut JSON payload), then `[DONE]` (Chat) or
 * the end of the body. A non-streaming request gets a truncated JSON body.
 */
export interface MockMalformedStep extends MockStepBase {
  kind: 'malformed';
  /**
   * Good chunks before the broken one.
   * @default 0
   */
  afterChunks?: number;
}

/**
 * Sends `afterChunks` chunks, then the dialect's in-stream error and ends the body without a
 * terminator: `data: {"error":{...}}` (Chat), `event: error` (Responses, Anthropic), a
 * `data: {"error":{"code","message","status"}}` event (Gemini, Vertex), a `:message-type: exception`
 * frame (Bedrock), an `{"error":"..."}` line (Ollama). A non-streaming request gets HTTP 200 with the
 * dialect's error body.
 */
export interface MockMidStreamErrorStep extends MockStepBase {
  kind: 'mid-stream-error';
  /** Chunks to send before the error event. */
  afterChunks: number;
  /**
   * The status the error stands for: picks the default type and message, and is Gemini's `error.code`.
   * @default 500 (529 for Anthropic, whose usual mid-stream error is `overloaded_error`)
   */
  status?: number;
  /**
   * The error message.
   * @default the dialect's message for `status`, e.g. `The server had an error while processing your
   * request. Sorry about that!` (OpenAI), `Overloaded` (Anthropic)
   */
  message?: string;
  /**
   * The error type: OpenAI and Anthropic `type`, Gemini `status`, Bedrock `:exception-type` (e.g.
   * `throttlingException`; a leading capital is lowered).
   * @default by `status` in the dialect's terms: `server_error`, `overloaded_error`, `INTERNAL`,
   * `internalServerException`
   */
  type?: string;
  /**
   * The error code.
   * @default null
   */
  code?: string | null;
}

/** Exact status, headers and body bytes; an array body is written chunk by chunk with `chunkDelayMs` between. */
export interface MockRawStep extends MockStepBase {
  kind: 'raw';
  /** The HTTP status. */
  status: number;
  /** The body, or its chunks in order; bytes are written as given (e.g. hand-made event-stream frames). */
  body: string | Uint8Array | readonly (string | Uint8Array)[];
}

/** One scripted behaviour, consumed by one request. */
export type MockScript =
  | MockReplyStep
  | MockErrorStep
  | MockRateLimitStep
  | MockHangStep
  | MockResetStep
  | MockStallStep
  | MockResetMidStreamStep
  | MockMalformedStep
  | MockMidStreamErrorStep
  | MockRawStep;

/** The `kind` of every scripted behaviour. */
export type MockScriptKind = MockScript['kind'];

const DIALECTS: ReadonlySet<string> = new Set<MockDialect>(['openai', 'azure', 'anthropic', 'gemini', 'vertex', 'bedrock', 'ollama']);

const KINDS: ReadonlySet<string> = new Set<MockScriptKind>([
  'reply',
  'error',
  'rate-limit',
  'hang',
  'reset',
  'stall',
  'reset-mid-stream',
  'malformed',
  'mid-stream-error',
  'raw',
]);

function checkDuration(value: number | undefined, label: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new TypeError(`${label} must be a finite number >= 0, got ${String(value)}`);
  }
}

function checkCount(value: number | undefined, label: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
    throw new TypeError(`${label} must be an integer >= 0, got ${String(value)}`);
  }
}

function checkStatus(value: number, minimum: number, label: string): void {
  if (!(Number.isInteger(value) && value >= minimum && value <= 599)) {
    throw new TypeError(`${label} must be an integer from ${minimum} to 599, got ${String(value)}`);
  }
}

/**
 * Throws a `TypeError` naming the field when a step cannot be played.
 * @param step - the step to check
 * @param label - how to name the step in the message
 */
export function validateScript(step: MockScript, label: string): void {
  // Plain-JS callers can pass anything; the union is only a compile-time promise.
  const kind: unknown = (step as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    throw new TypeError(`${label}: unknown kind ${JSON.stringify(kind)}`);
  }
  const dialect: unknown = step.match?.dialect;
  if (dialect !== undefined && (typeof dialect !== 'string' || !DIALECTS.has(dialect))) {
    throw new TypeError(`${label} (${step.kind}): match.dialect must be one of ${[...DIALECTS].join(', ')}, got ${JSON.stringify(dialect)}`);
  }
  checkDuration(step.latencyMs, `${label} (${step.kind}): latencyMs`);
  checkDuration(step.chunkDelayMs, `${label} (${step.kind}): chunkDelayMs`);
  switch (step.kind) {
    case 'error':
      checkStatus(step.status, 400, `${label} (error): status`);
      break;
    case 'raw':
      checkStatus(step.status, 200, `${label} (raw): status`);
      break;
    case 'rate-limit':
      checkDuration(step.retryAfterS, `${label} (rate-limit): retryAfterS`);
      checkDuration(step.retryAfterMs, `${label} (rate-limit): retryAfterMs`);
      break;
    case 'mid-stream-error':
      if (step.status !== undefined) checkStatus(step.status, 400, `${label} (mid-stream-error): status`);
      checkCount(step.afterChunks, `${label} (${step.kind}): afterChunks`);
      break;
    case 'stall':
    case 'reset-mid-stream':
    case 'malformed':
      checkCount(step.afterChunks, `${label} (${step.kind}): afterChunks`);
      break;
    case 'reply':
      if (step.thinking !== undefined && typeof step.thinking !== 'string') {
        throw new TypeError(`${label} (reply): thinking must be a string`);
      }
      if (step.usage !== undefined) {
        checkCount(step.usage.prompt_tokens, `${label} (reply): usage.prompt_tokens`);
        checkCount(step.usage.completion_tokens, `${label} (reply): usage.completion_tokens`);
        checkCount(step.usage.cached_tokens, `${label} (reply): usage.cached_tokens`);
        checkCount(step.usage.cache_write_tokens, `${label} (reply): usage.cache_write_tokens`);
        checkCount(step.usage.reasoning_tokens, `${label} (reply): usage.reasoning_tokens`);
      }
      break;
    case 'hang':
    case 'reset':
      break;
    default: {
      const unreachable: never = step;
      throw new TypeError(`${label}: unknown step ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Checks a provider-wide timing option.
 * @param value - the option value
 * @param label - the option name
 */
export function validateDuration(value: number | undefined, label: string): void {
  checkDuration(value, label);
}
