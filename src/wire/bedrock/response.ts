/**
 * Bedrock Converse answers → Chat Completions: the whole response, usage, stop reasons and errors
 * (providers.md §5.3, §5.4, §7.2, §7.3, §7.7). Pure.
 * @module
 */
import type { ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from '../chat/types.js';
import type { ProviderError, ProviderErrorKind, Translated } from '../codec.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** The 1-hour cache writes of a Converse `usage.cacheDetails` list (0 when absent). */
function hourWrites(details: unknown): number {
  if (!Array.isArray(details)) return 0;
  let hour = 0;
  for (const detail of details as unknown[]) {
    if (isRecord(detail) && detail['ttl'] === '1h') hour += count(detail['inputTokens']) ?? 0;
  }
  return hour;
}

/**
 * Converts Converse usage per providers.md §7.3: `inputTokens` excludes the cache, so the prompt total
 * adds cache reads and writes back.
 * @param usage The `usage` object of a response or a `metadata` event.
 * @returns The pivot usage, or `null` when `inputTokens`/`outputTokens` are missing.
 * @example
 * toChatUsage({ inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 90 }); // prompt_tokens 100, cached_tokens 90
 */
export function toChatUsage(usage: unknown): ChatUsage | null {
  if (!isRecord(usage)) return null;
  const input = count(usage['inputTokens']);
  const output = count(usage['outputTokens']);
  if (input === null || output === null) return null;
  const cacheRead = count(usage['cacheReadInputTokens']);
  const cacheWrite = count(usage['cacheWriteInputTokens']);
  const prompt = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  const result: ChatUsage = { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output };
  if (cacheRead !== null || cacheWrite !== null) {
    const details: NonNullable<ChatUsage['prompt_tokens_details']> = { cached_tokens: cacheRead ?? 0 };
    if (cacheWrite !== null) details.cache_write_tokens = cacheWrite;
    // `cacheDetails: [{ ttl: '5m' | '1h', inputTokens }]` splits the writes by duration.
    const hour = hourWrites(usage['cacheDetails']);
    if (hour > 0 && cacheWrite !== null) details.cache_write_1h_tokens = Math.min(hour, cacheWrite);
    result.prompt_tokens_details = details;
  }
  return result;
}

/** Stop reasons that mean the model failed, not finished (§7.2 "error" row): never a fake success. */
const FAILED_STOPS = new Set(['malformed_model_output', 'malformed_tool_use']);

/**
 * Maps a Converse `stopReason` per providers.md §7.2.
 * @param stopReason The provider's reason.
 * @returns The Chat Completions reason (unknown reasons read as `stop`), or `null` for the
 *   malformed-output reasons, which callers must turn into an error.
 */
export function mapStopReason(stopReason: string): ChatFinishReason | null {
  switch (stopReason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return FAILED_STOPS.has(stopReason) ? null : 'stop';
  }
}

function malformed(message: string): Translated<ChatResponse> {
  return { ok: false, error: { status: 502, message: `Bedrock Converse answer: ${message}` } };
}

/**
 * Reads a Converse answer.
 * @param body The parsed JSON body.
 * @returns The pivot answer, or a 502 naming what was wrong. Converse carries no id, creation time or
 *   model, so `id` is `''`, `created` 0 and `model` `''`: the client side fills them in.
 * @example
 * readConverseResponse({ output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } }, stopReason: 'end_turn' });
 */
export function readConverseResponse(body: unknown): Translated<ChatResponse> {
  if (!isRecord(body)) return malformed('the body is not a JSON object');
  const output = body['output'];
  const message = isRecord(output) ? output['message'] : undefined;
  if (!isRecord(message)) return malformed('output.message is missing');
  const content = message['content'];
  if (!Array.isArray(content)) return malformed('output.message.content is not an array');
  const stopReason = body['stopReason'];
  if (typeof stopReason !== 'string') return malformed('stopReason is missing');
  const finishReason = mapStopReason(stopReason);
  if (finishReason === null) return malformed(`the model stopped with '${stopReason}'`);

  let text: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ChatToolCall[] = [];
  for (const [index, block] of content.entries()) {
    if (!isRecord(block)) return malformed(`output.message.content[${index}] is not an object`);
    if (typeof block['text'] === 'string') {
      text = (text ?? '') + block['text'];
    } else if (isRecord(block['toolUse'])) {
      const toolUse = block['toolUse'];
      if (typeof toolUse['toolUseId'] !== 'string' || typeof toolUse['name'] !== 'string') {
        return malformed(`output.message.content[${index}].toolUse needs toolUseId and name`);
      }
      toolCalls.push({ id: toolUse['toolUseId'], type: 'function', function: { name: toolUse['name'], arguments: JSON.stringify(toolUse['input'] ?? {}) } });
    } else if (isRecord(block['reasoningContent'])) {
      const reasoningText = block['reasoningContent']['reasoningText'];
      if (isRecord(reasoningText) && typeof reasoningText['text'] === 'string') reasoning = (reasoning ?? '') + reasoningText['text'];
    }
    // Other blocks (citations, images...) have no Chat Completions field.
  }

  const chatMessage: ChatResponse['choices'][number]['message'] = { role: 'assistant', content: text };
  if (toolCalls.length > 0) chatMessage.tool_calls = toolCalls;
  if (reasoning !== null) chatMessage.reasoning_content = reasoning;
  const response: ChatResponse = {
    id: '',
    object: 'chat.completion',
    created: 0,
    model: '',
    choices: [{ index: 0, message: chatMessage, finish_reason: finishReason, logprobs: null }],
  };
  if (body['usage'] !== undefined) {
    const usage = toChatUsage(body['usage']);
    if (usage === null) return malformed('usage needs inputTokens and outputTokens');
    response.usage = usage;
  }
  return { ok: true, value: response };
}

const AUTH_TYPES = new Set([
  'unrecognizedclientexception',
  'invalidsignatureexception',
  'incompletesignatureexception',
  'missingauthenticationtokenexception',
  'expiredtokenexception',
  'invalidclienttokenid',
  'signaturedoesnotmatch',
]);

const MAX_TEXT_MESSAGE = 500;
const CONTEXT_LENGTH = /too long|input length|context window|context length|maximum context|too many input tokens/i;

/** The HTTP status each in-stream exception would have had (§5.4). */
const EXCEPTION_STATUS: Readonly<Record<string, number>> = Object.freeze({
  validationexception: 400,
  accessdeniedexception: 403,
  resourcenotfoundexception: 404,
  modeltimeoutexception: 408,
  modelerrorexception: 424,
  modelstreamerrorexception: 424,
  throttlingexception: 429,
  modelnotreadyexception: 429,
  servicequotaexceededexception: 400,
  internalserverexception: 500,
  serviceunavailableexception: 503,
});

/**
 * The exception name from an `x-amzn-ErrorType` value or a `__type` (`ValidationException:http://...`,
 * `com.amazon.coral.validate#ValidationException`).
 */
function exceptionName(type: string): string {
  const afterHash = type.slice(type.lastIndexOf('#') + 1);
  const colon = afterHash.indexOf(':');
  return colon === -1 ? afterHash : afterHash.slice(0, colon);
}

function classify(status: number, type: string | null, message: string): ProviderErrorKind {
  const name = type?.toLowerCase() ?? '';
  if (AUTH_TYPES.has(name) || status === 401) return 'authentication';
  switch (name) {
    case 'throttlingexception':
    case 'servicequotaexceededexception':
      return 'rate_limit';
    case 'serviceunavailableexception':
    case 'modelnotreadyexception':
      return 'overloaded';
    case 'validationexception':
      return CONTEXT_LENGTH.test(message) ? 'context_length' : 'invalid_request';
    case 'accessdeniedexception':
      return 'permission';
    case 'resourcenotfoundexception':
      return 'not_found';
    case 'modeltimeoutexception':
      return 'timeout';
    case 'internalserverexception':
    case 'modelerrorexception':
    case 'modelstreamerrorexception':
      return 'server';
  }
  switch (status) {
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 503:
      return 'overloaded';
  }
  if (status >= 500 || status === 424) return 'server';
  return CONTEXT_LENGTH.test(message) ? 'context_length' : 'invalid_request';
}

/**
 * Reads a Bedrock error answer (§5.4) or an in-stream exception payload.
 * @param status The HTTP status (for an in-stream exception, pass 0 and the exception type).
 * @param body The parsed body (`{message}`, `{Message}`, sometimes `{__type}`) or its text.
 * @param type The exception name when known from elsewhere (`x-amzn-ErrorType`, `:exception-type`).
 * @returns The error, with the exception name as `code` when known.
 * @example
 * readBedrockError(429, { message: 'Too many requests' }, 'ThrottlingException').kind; // 'rate_limit'
 */
export function readBedrockError(status: number, body: unknown, type: string | null = null): ProviderError {
  let message: string | null = null;
  let found = type === null ? null : exceptionName(type);
  if (isRecord(body)) {
    const text = body['message'] ?? body['Message'];
    if (typeof text === 'string') message = text;
    if (found === null && typeof body['__type'] === 'string') found = exceptionName(body['__type']);
    if (typeof body['originalMessage'] === 'string' && body['originalMessage'] !== '') {
      message = message === null ? body['originalMessage'] : `${message} (model: ${body['originalMessage']})`;
    }
  } else if (typeof body === 'string' && body.trim() !== '') {
    // A text body may be a whole HTML page from a proxy: keep only enough to recognise it.
    message = body.trim().slice(0, MAX_TEXT_MESSAGE);
  }
  const resolvedStatus = status > 0 ? status : (EXCEPTION_STATUS[found?.toLowerCase() ?? ''] ?? 500);
  message ??= found ?? `Bedrock answered HTTP ${resolvedStatus}`;
  return { kind: classify(resolvedStatus, found, message), status: resolvedStatus, message, code: found };
}
