/**
 * The mock's Anthropic Messages dialect: `POST /v1/messages` (a `message` object, or its SSE stream with
 * `event:` lines: `message_start`, content blocks for thinking, text and tool use, a cumulative
 * `message_delta`, `message_stop`, and a `ping`), `POST /v1/messages/count_tokens`, the same body on
 * Vertex AI (`:rawPredict` / `:streamRawPredict`), and Anthropic's error bodies and headers.
 *
 * @module
 */

import type { MockFinishReason, MockMidStreamErrorStep, MockRateLimitStep, MockReplyStep } from './script.js';
import {
  SSE_HEADERS,
  argumentsObject,
  contentText,
  estimateOutputTokens,
  estimateTokens,
  firstHalf,
  isRecord,
  json,
  partsText,
  resolveReply,
  resolveUsage,
  retryAfterSeconds,
  splitDeltas,
  splitFragments,
  sseEvent,
  uncachedInput,
  type JsonRender,
  type Render,
  type RouteInput,
  type UsageNumbers,
} from './render.js';

/** The `anthropic_version` Vertex AI requires in the body of an Anthropic model call. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Fields of an Anthropic error object. */
export interface AnthropicErrorFields {
  readonly type: string;
  readonly message: string;
}

const DEFAULT_ERRORS: Readonly<Record<number, AnthropicErrorFields>> = {
  400: { type: 'invalid_request_error', message: 'There was an issue with the format or content of your request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: {
    type: 'billing_error',
    message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits).',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timeout' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/**
 * Anthropic's error type and message for a status, overridable field by field.
 * @param status - the HTTP status
 * @param overrides - fields the script set
 */
export function anthropicErrorFields(
  status: number,
  overrides: { type?: string | undefined; message?: string | undefined } = {},
): AnthropicErrorFields {
  const base = DEFAULT_ERRORS[status] ?? {
    type: status >= 500 ? 'api_error' : 'invalid_request_error',
    message: `Mock error with status ${status}.`,
  };
  return { type: overrides.type ?? base.type, message: overrides.message ?? base.message };
}

/**
 * An Anthropic error answer: `{"type":"error","error":{type,message},"request_id"}`.
 * @param status - the HTTP status
 * @param fields - the error type and message
 * @param requestId - the `request-id` the mock answers with
 */
export function anthropicErrorRender(status: number, fields: AnthropicErrorFields, requestId: string): JsonRender {
  return json(status, { type: 'error', error: { type: fields.type, message: fields.message }, request_id: requestId });
}

/**
 * The 401 Anthropic sends for a missing or wrong key.
 * @param isMissing - whether no key was sent at all
 * @param requestId - the request id
 */
export function anthropicInvalidKeyRender(isMissing: boolean, requestId: string): JsonRender {
  const message = isMissing ? 'x-api-key header is required' : 'invalid x-api-key';
  return anthropicErrorRender(401, { type: 'authentication_error', message }, requestId);
}

/**
 * The 400 Anthropic sends when the `anthropic-version` header is missing.
 * @param requestId - the request id
 */
export function missingVersionRender(requestId: string): JsonRender {
  return anthropicErrorRender(400, { type: 'invalid_request_error', message: 'anthropic-version: header is required' }, requestId);
}

/** Limits reported in `anthropic-ratelimit-*` headers. */
const LIMITS: Readonly<Record<string, number>> = {
  requests: 4000,
  tokens: 2_000_000,
  'input-tokens': 2_000_000,
  'output-tokens': 400_000,
};

/** Formats a time as RFC 3339 without milliseconds, as Anthropic's reset headers do. */
function rfc3339(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The `anthropic-ratelimit-*` headers: plenty left, or requests exhausted until `resetMs`.
 * @param nowMs - the current time
 * @param resetMs - milliseconds until the window resets
 * @param isExhausted - whether requests are used up
 */
export function anthropicRateLimitHeaders(nowMs: number, resetMs: number, isExhausted: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, limit] of Object.entries(LIMITS)) {
    headers[`anthropic-ratelimit-${kind}-limit`] = String(limit);
    headers[`anthropic-ratelimit-${kind}-remaining`] = String(isExhausted && kind === 'requests' ? 0 : limit - 1);
    headers[`anthropic-ratelimit-${kind}-reset`] = rfc3339(nowMs + resetMs);
  }
  return headers;
}

/**
 * The 429 of a `rate-limit` step in Anthropic's shape, with `retry-after` and exhausted limits.
 * @param step - the rate-limit step
 * @param requestId - the request id
 * @param nowMs - the current time, for the RFC 3339 resets
 */
export function anthropicRateLimitRender(step: MockRateLimitStep, requestId: string, nowMs: number): JsonRender {
  const seconds = retryAfterSeconds(step.retryAfterS, step.retryAfterMs);
  const render = anthropicErrorRender(429, anthropicErrorFields(429), requestId);
  const headers: Record<string, string> = {
    ...render.headers,
    ...anthropicRateLimitHeaders(nowMs, step.retryAfterMs ?? seconds * 1000, true),
    'retry-after': String(seconds),
  };
  if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
  return { ...render, headers };
}

function midStreamFields(step: MockMidStreamErrorStep): AnthropicErrorFields {
  return anthropicErrorFields(step.status ?? 529, step);
}

/**
 * The body of a mid-stream error on a non-streaming answer: Anthropic's error object with HTTP 200.
 * @param step - the mid-stream-error step
 */
export function anthropicJsonErrorBody(step: MockMidStreamErrorStep): string {
  const fields = midStreamFields(step);
  return JSON.stringify({ type: 'error', error: { type: fields.type, message: fields.message } });
}

function stopReason(reason: MockFinishReason): string {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
  }
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block['text'] === 'string') texts.push(block['text']);
    else if (block['type'] === 'tool_result') texts.push(contentText(block['content']));
    else if (block['type'] === 'tool_use') texts.push(JSON.stringify(block['input'] ?? {}));
  }
  return texts.join(' ');
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isRecord(message) && message['role'] === 'user') {
      const content = message['content'];
      return typeof content === 'string' ? content : partsText(content);
    }
  }
  return '';
}

function inputTokens(body: Record<string, unknown>, messages: readonly unknown[]): number {
  let total = estimateTokens(blockText(body['system']));
  for (const message of messages) total += 3 + (isRecord(message) ? estimateTokens(blockText(message['content'])) : 0);
  return Math.max(1, total);
}

function usageFields(usage: UsageNumbers, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: uncachedInput(usage),
    cache_creation_input_tokens: usage.cacheWriteInput,
    cache_read_input_tokens: usage.cachedInput,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** What a checked Anthropic request holds. */
interface AnthropicRequest {
  readonly body: Record<string, unknown>;
  readonly model: string;
  readonly messages: readonly unknown[];
}

/** Checks a Messages or count_tokens body the way Anthropic (or Vertex) does; a render is a 400. */
function checkRequest(input: RouteInput, needsMaxTokens: boolean): AnthropicRequest | JsonRender {
  const requestId = `req_${input.requestNumber}`;
  const invalid = (message: string): JsonRender => anthropicErrorRender(400, anthropicErrorFields(400, { message }), requestId);
  const body = input.body;
  if (!isRecord(body)) return invalid('There was an issue with the format or content of your request: the body is not a JSON object.');
  const isVertex = input.route.dialect === 'vertex';
  if (isVertex && typeof body['anthropic_version'] !== 'string') return invalid('anthropic_version: Field required');
  const model = input.route.pathModel ?? body['model'];
  if (typeof model !== 'string') return invalid('model: Field required');
  const messages = body['messages'];
  if (!Array.isArray(messages)) return invalid('messages: Field required');
  if (needsMaxTokens && typeof body['max_tokens'] !== 'number') return invalid('max_tokens: Field required');
  return { body, model, messages };
}

/**
 * Answers `POST /v1/messages/count_tokens` with `{"input_tokens":N}`.
 * @param input - the request
 * @param reply - a scripted reply, whose `usage.prompt_tokens` wins
 */
export function renderAnthropicCountTokens(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const checked = checkRequest(input, false);
  if ('type' in checked) return checked;
  return json(200, { input_tokens: reply?.usage?.prompt_tokens ?? inputTokens(checked.body, checked.messages) });
}

/**
 * Answers an Anthropic Messages request (or a Vertex `rawPredict`), scripted or by echoing the last user
 * message.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderAnthropic(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const checked = checkRequest(input, true);
  if ('type' in checked) return checked;
  const { body, model, messages } = checked;
  const number = input.requestNumber;
  const resolved = resolveReply(reply, `Echo: ${lastUserText(messages)}`, model);
  const reasoning = resolved.thinking === null ? 0 : estimateTokens(resolved.thinking);
  const usage = resolveUsage(reply, inputTokens(body, messages), estimateOutputTokens(resolved, true), reasoning);
  const id = `msg_mock${number}`;
  const signature = Buffer.from(`mock-signature:${number}`).toString('base64');
  const callIds = resolved.toolCalls.map((call, index) => call.id ?? `toolu_mock${number}_${index}`);
  const reason = stopReason(resolved.finishReason);

  const isStream = input.route.isStreamPath === true || body['stream'] === true;
  if (!isStream) {
    const content: unknown[] = [];
    if (resolved.thinking !== null) content.push({ type: 'thinking', thinking: resolved.thinking, signature });
    if (resolved.content !== null) content.push({ type: 'text', text: resolved.content });
    resolved.toolCalls.forEach((call, index) => {
      content.push({ type: 'tool_use', id: callIds[index], name: call.name, input: argumentsObject(call.arguments) });
    });
    return json(200, {
      id,
      type: 'message',
      role: 'assistant',
      model: resolved.model,
      content,
      stop_reason: reason,
      stop_sequence: null,
      usage: usageFields(usage, usage.output),
    });
  }

  const event = (type: string, fields: Record<string, unknown> = {}): string => sseEvent(JSON.stringify({ type, ...fields }), type);
  const events: string[] = [
    event('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: resolved.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageFields(usage, 1),
      },
    }),
  ];
  let index = 0;
  let firstDelta: string | undefined;
  const startBlock = (block: Record<string, unknown>): void => {
    events.push(event('content_block_start', { index, content_block: block }));
    // Anthropic sends its first keep-alive right after the first block opens.
    if (index === 0) events.push(event('ping'));
  };
  const delta = (fields: Record<string, unknown>): void => {
    const data = JSON.stringify({ type: 'content_block_delta', index, delta: fields });
    firstDelta ??= data;
    events.push(sseEvent(data, 'content_block_delta'));
  };
  const stopBlock = (): void => {
    events.push(event('content_block_stop', { index }));
    index += 1;
  };
  if (resolved.thinking !== null) {
    startBlock({ type: 'thinking', thinking: '' });
    for (const piece of splitDeltas(resolved.thinking)) delta({ type: 'thinking_delta', thinking: piece });
    delta({ type: 'signature_delta', signature });
    stopBlock();
  }
  if (resolved.content !== null) {
    startBlock({ type: 'text', text: '' });
    for (const piece of splitDeltas(resolved.content)) delta({ type: 'text_delta', text: piece });
    stopBlock();
  }
  resolved.toolCalls.forEach((call, callIndex) => {
    startBlock({ type: 'tool_use', id: callIds[callIndex], name: call.name, input: {} });
    // Anthropic opens every tool input with an empty fragment.
    delta({ type: 'input_json_delta', partial_json: '' });
    for (const fragment of splitFragments(call.arguments)) delta({ type: 'input_json_delta', partial_json: fragment });
    stopBlock();
  });
  if (index === 0) events.push(event('ping'));
  events.push(
    event('message_delta', {
      delta: { stop_reason: reason, stop_sequence: null },
      usage: {
        input_tokens: uncachedInput(usage),
        cache_creation_input_tokens: usage.cacheWriteInput,
        cache_read_input_tokens: usage.cachedInput,
        output_tokens: usage.output,
      },
    }),
  );

  const broken = firstDelta ?? JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '' } });
  return {
    type: 'stream',
    headers: SSE_HEADERS,
    events,
    final: [event('message_stop')],
    done: undefined,
    broken: sseEvent(firstHalf(broken), 'content_block_delta'),
    error: (step) => {
      const fields = midStreamFields(step);
      return event('error', { error: { type: fields.type, message: fields.message } });
    },
  };
}
