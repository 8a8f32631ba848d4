/**
 * The scripted behaviours of the mock provider: one discriminated union on `kind`, and its validation.
 *
 * @module
 */

/** Which requests may consume a step; every given field must match exactly. */
export interface MockMatch {
  /** The request body's `model` must equal this. */
  model?: string;
  /**
   * The request path (without query) must equal this, e.g. `/v1/embeddings` or `/v1/files`.
   * @default any model call (`POST /v1/chat/completions`, `/v1/embeddings`, `/v1/responses`)
   */
  path?: string;
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

/** Token usage to report instead of the deterministic estimate. */
export interface MockUsage {
  /** Input tokens, cached ones included. */
  prompt_tokens: number;
  /** Output tokens, reasoning ones included. */
  completion_tokens: number;
  /**
   * Input tokens read from the prompt cache.
   * @default 0
   */
  cached_tokens?: number;
  /**
   * Hidden reasoning tokens.
   * @default 0
   */
  reasoning_tokens?: number;
}

/** A successful answer in the request's own shape (JSON, or SSE when the body has `stream: true`). */
export interface MockReplyStep extends MockStepBase {
  kind: 'reply';
  /**
   * The assistant text.
   * @default `Echo: <last user text>`, or none when `toolCalls` is given
   */
  content?: string;
  /** Tool calls to return after the content. */
  toolCalls?: readonly MockToolCall[];
  /**
   * Why generation stopped.
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

/** An HTTP error with the provider's exact body `{"error":{"message","type","param","code"}}`. */
export interface MockErrorStep extends MockStepBase {
  kind: 'error';
  /** The HTTP status (400–599). */
  status: number;
  /**
   * The error `type`.
   * @default by status: `invalid_request_error` (4xx), `requests` (429), `server_error` (5xx)
   */
  type?: string;
  /**
   * The error `code`.
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

/** A 429 with `retry-after` / `retry-after-ms` and the `x-ratelimit-*` headers. */
export interface MockRateLimitStep extends MockStepBase {
  kind: 'rate-limit';
  /**
   * Seconds for the `retry-after` header.
   * @default 1 when `retryAfterMs` is not given either
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
 * Streaming: sends `afterChunks` good chunks, one event whose JSON is broken, then `[DONE]` (Chat) or
 * the end of the body (Responses). A non-streaming request gets a truncated JSON body.
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
 * Sends `afterChunks` chunks, then an error event (`data: {"error":{...}}` for Chat, `event: error` for
 * Responses) and ends the body without a terminator. A non-streaming request gets HTTP 200 with an
 * `{"error":{...}}` body.
 */
export interface MockMidStreamErrorStep extends MockStepBase {
  kind: 'mid-stream-error';
  /** Chunks to send before the error event. */
  afterChunks: number;
  /**
   * The error message.
   * @default `The server had an error while processing your request. Sorry about that!`
   */
  message?: string;
  /**
   * The error type.
   * @default `server_error`
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
  /** The body, or its chunks in order. */
  body: string | readonly string[];
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
    case 'stall':
    case 'reset-mid-stream':
    case 'malformed':
    case 'mid-stream-error':
      checkCount(step.afterChunks, `${label} (${step.kind}): afterChunks`);
      break;
    case 'reply':
      if (step.usage !== undefined) {
        checkCount(step.usage.prompt_tokens, `${label} (reply): usage.prompt_tokens`);
        checkCount(step.usage.completion_tokens, `${label} (reply): usage.completion_tokens`);
        checkCount(step.usage.cached_tokens, `${label} (reply): usage.cached_tokens`);
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
