/**
 * Whole Anthropic answers to and from the Chat Completions pivot, with the stop-reason and usage
 * mappings the stream codecs share (providers.md §7.2, §7.3). Pure.
 * @module
 */
import type { ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from '../chat/types.js';
import type { Translated } from '../codec.js';
import {
  type AnthropicResponse,
  type AnthropicResponseBlock,
  type AnthropicStopReason,
  type AnthropicUsage,
  type JsonObject,
  isObject,
  translate,
  TranslationFailure,
} from './types.js';

/**
 * Maps Anthropic's `stop_reason` to a Chat `finish_reason` (providers.md §7.2).
 * @param stopReason The answer's `stop_reason`.
 * @returns `stop` for `end_turn`, `stop_sequence`, `pause_turn` and anything unknown.
 * @example
 * toFinishReason('tool_use'); // 'tool_calls'
 */
export function toFinishReason(stopReason: unknown): ChatFinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Maps a Chat `finish_reason` to Anthropic's `stop_reason` (providers.md §7.2, reverse).
 * @param finishReason The pivot's finish reason.
 * @returns `end_turn` for `stop`, `null` and anything unknown; the matched stop sequence is never
 *   known through the pivot, so `stop_sequence` is not produced.
 */
export function toStopReason(finishReason: ChatFinishReason | null | undefined): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

/**
 * Converts Anthropic usage to pivot usage: `prompt_tokens` counts every input token, cache reads and
 * writes included (providers.md §7.3).
 * @param usage An Anthropic `usage` object (missing counts read as 0).
 * @returns Pivot usage with `cached_tokens` (reads) and `cache_write_tokens` (writes).
 * @example
 * toChatUsage({ input_tokens: 412, output_tokens: 58, cache_read_input_tokens: 1024, cache_creation_input_tokens: 0 });
 * // prompt_tokens 1436, completion_tokens 58, total_tokens 1494
 */
export function toChatUsage(usage: Partial<AnthropicUsage>): ChatUsage {
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const prompt = count(usage.input_tokens) + cacheRead + cacheWrite;
  const completion = count(usage.output_tokens);
  const details: NonNullable<ChatUsage['prompt_tokens_details']> = { cached_tokens: cacheRead, cache_write_tokens: cacheWrite };
  // `cache_creation` splits the writes by duration; the 1-hour ones bill dearer.
  const hour = count(usage.cache_creation?.ephemeral_1h_input_tokens);
  if (hour > 0) details.cache_write_1h_tokens = Math.min(hour, cacheWrite);
  const out: ChatUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: details };
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') out.completion_tokens_details = { reasoning_tokens: thinking };
  return out;
}

/** Usage as an Anthropic SDK expects it, cache counts always present. */
export interface AnthropicUsageOut {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * Converts pivot usage to Anthropic usage: `input_tokens` is what was neither read from nor written
 * to the cache (providers.md §7.3).
 * @param usage Pivot usage, or nothing when the provider reported none (all counts 0).
 */
export function toAnthropicUsage(usage: ChatUsage | null | undefined): AnthropicUsageOut {
  const cached = count(usage?.prompt_tokens_details?.cached_tokens);
  const written = count(usage?.prompt_tokens_details?.cache_write_tokens);
  return {
    input_tokens: Math.max(0, count(usage?.prompt_tokens) - cached - written),
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/**
 * The Anthropic message id for a pivot response id (`chatcmpl-abc` → `msg_abc`, `chatcmpl-msg_1` → `msg_1`).
 * @param id Any response id.
 */
export function toMessageId(id: string): string {
  const bare = id.startsWith('chatcmpl-') ? id.slice('chatcmpl-'.length) : id;
  // `chatcmpl-msg_01X` is an Anthropic id the decoder or reader wrapped: give it back unchanged.
  return bare.startsWith('msg_') ? bare : `msg_${bare}`;
}

/** The key under which {@link toToolInput} keeps arguments that are not a JSON object. */
export const RAW_ARGUMENTS_KEY = '_raw';

/**
 * Turns Chat tool-call arguments (a JSON string) into an Anthropic `input` object.
 *
 * `""` is a call without arguments (`{}`). Text that is not a JSON object (a model can emit broken
 * JSON) is kept whole as `{ "_raw": "<text>" }` rather than replaced by `{}`: the client's schema
 * check then fails visibly, with the text at hand, instead of the tool running with no arguments.
 * @param text The `arguments` string.
 * @example
 * toToolInput('{"city":"Oslo"}'); // { city: 'Oslo' }
 * toToolInput('{"city":'); // { _raw: '{"city":' }
 */
export function toToolInput(text: string): JsonObject {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // Not JSON: kept as raw text below.
  }
  return { [RAW_ARGUMENTS_KEY]: text };
}

/**
 * Writes a pivot answer as an Anthropic message: `[thinking?, text?, tool_use...]`.
 *
 * Thinking blocks carry an empty `signature`: no provider but Anthropic can sign, so a client that
 * sends this turn back to Anthropic itself will be refused there.
 * @param response The pivot answer; only its first choice is written.
 * @param model The model name to show the SDK.
 * @returns The Anthropic message body.
 * @example
 * writeAnthropicResponse(chatResponse, 'claude-sonnet-4-5').content; // [{ type: 'text', text: 'Hi.' }]
 */
export function writeAnthropicResponse(response: ChatResponse, model: string): AnthropicResponse {
  const choice = response.choices[0];
  const message = choice?.message;
  const content: AnthropicResponseBlock[] = [];
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  const text = typeof message?.content === 'string' && message.content !== '' ? message.content : message?.refusal;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toToolInput(call.function.arguments) });
  }
  return {
    id: toMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: toStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}

function malformed(message: string): never {
  throw new TranslationFailure(502, `malformed Anthropic response: ${message}`);
}

/**
 * Reads an Anthropic message into a pivot answer: text blocks joined (as a stream would show them),
 * `tool_use` as tool calls with `JSON.stringify(input)`, thinking as `reasoning_content`. Redacted
 * thinking and server-tool blocks are skipped: a Chat client has no place for them.
 * @param body The parsed body of a 200 answer.
 * @returns The pivot answer (id `chatcmpl-<msg id>`, `created` 0: the core sets both for the client),
 *   or a 502 saying what was wrong.
 */
export function readAnthropicResponse(body: unknown): Translated<ChatResponse> {
  return translate(() => readResponse(body));
}

function readResponse(body: unknown): ChatResponse {
  if (!isObject(body)) malformed('the body is not a JSON object');
  if (body['type'] === 'error') malformed('the body is an error object');
  const blocks = body['content'];
  if (!Array.isArray(blocks)) malformed("'content' is not an array");
  let text = '';
  let hasText = false;
  let reasoning = '';
  const toolCalls: ChatToolCall[] = [];
  blocks.forEach((block, index) => {
    const at = `content[${index}]`;
    if (!isObject(block) || typeof block['type'] !== 'string') malformed(`${at} is not a content block`);
    switch (block['type']) {
      case 'text':
        if (typeof block['text'] !== 'string') malformed(`${at}.text is not a string`);
        text += block['text'];
        hasText = true;
        break;
      case 'tool_use': {
        const { id, name, input } = block;
        if (typeof id !== 'string' || typeof name !== 'string') malformed(`${at} (tool_use) has no id or name`);
        toolCalls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(input ?? {}) } });
        break;
      }
      case 'thinking':
        if (typeof block['thinking'] !== 'string') malformed(`${at}.thinking is not a string`);
        reasoning += block['thinking'];
        break;
      default:
        // redacted_thinking, server_tool_use, web_search_tool_result and future types: no pivot form.
        break;
    }
  });
  const usage = body['usage'];
  if (usage !== undefined && usage !== null && !isObject(usage)) malformed("'usage' is not an object");
  const id = typeof body['id'] === 'string' ? body['id'] : '';
  const message: ChatResponse['choices'][number]['message'] = {
    role: 'assistant',
    content: hasText || toolCalls.length === 0 ? text : null,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  const out: ChatResponse = {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: 0,
    model: typeof body['model'] === 'string' ? body['model'] : '',
    choices: [{ index: 0, message, finish_reason: toFinishReason(body['stop_reason']), logprobs: null }],
  };
  if (isObject(usage)) out.usage = toChatUsage(usage as Partial<AnthropicUsage>);
  return out;
}
