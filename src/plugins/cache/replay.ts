/**
 * Serving a stored answer in the shape the caller asked for: a stream replayed with its original
 * chunking, and for OpenAI Chat Completions, a stream turned into one JSON answer and the other way
 * round, with the usage chunk shown only to callers that asked for `stream_options.include_usage`.
 * The conversions are pure functions of text.
 * @module
 */
import type { Usage } from '../../events/record.js';
import type { ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from '../../wire/chat/types.js';

const encoder = /*@__PURE__*/ new TextEncoder();
const EVENT_END = /\r\n\r\n|\n\n|\r\r/g;

/**
 * Cuts a body into its stored chunks.
 * @param body The stream's text.
 * @param lengths Each chunk's length, in order.
 */
export function sliceChunks(body: string, lengths: readonly number[]): string[] {
  const chunks: string[] = [];
  let start = 0;
  for (const length of lengths) {
    chunks.push(body.slice(start, start + length));
    start += length;
  }
  return chunks;
}

/**
 * A stream that hands out one chunk per read, encoded only when the SDK reads it.
 * @param chunks The chunks' text, in order.
 * @returns A pull-based byte stream.
 */
export function replayStream(chunks: readonly string[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        // Empty pieces (a chunk that held only part of a character) carry nothing: skip them.
        while (index < chunks.length && chunks[index] === '') index++;
        if (index >= chunks.length) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(chunks[index++]));
      },
      cancel() {
        index = chunks.length;
      },
    },
    { highWaterMark: 0 },
  );
}

/** Splits SSE text into its events (each with its terminating blank line; a last unterminated one as is). */
function splitEvents(text: string): string[] {
  const events: string[] = [];
  let start = 0;
  EVENT_END.lastIndex = 0;
  for (let match = EVENT_END.exec(text); match !== null; match = EVENT_END.exec(text)) {
    const end = match.index + match[0].length;
    events.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) events.push(text.slice(start));
  return events;
}

/** The `data` field of one event (lines joined with '\n'), or `null` when it has none. */
function eventData(event: string): string | null {
  let data: string | null = null;
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (line === '' || line.charCodeAt(0) === 0x3a) continue;
    const colon = line.indexOf(':');
    if ((colon === -1 ? line : line.slice(0, colon)) !== 'data') continue;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns Sluice's usage back into a Chat Completions `usage` object, for answers whose own was hidden.
 * @param usage The usage stored with the answer.
 * @returns The wire usage, or `null` when no token count is known.
 */
export function toChatUsage(usage: Usage): ChatUsage | null {
  if (usage.inputTokens === null && usage.outputTokens === null) return null;
  const prompt = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  const out: ChatUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (usage.cachedTokens !== null || usage.cacheWriteTokens !== null) {
    out.prompt_tokens_details = { cached_tokens: usage.cachedTokens ?? 0 };
    if (usage.cacheWriteTokens !== null) out.prompt_tokens_details.cache_write_tokens = usage.cacheWriteTokens;
  }
  if (usage.reasoningTokens !== null) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}

/** The fields every chunk of a stream repeats. */
function chunkHead(source: Record<string, unknown>): Record<string, unknown> {
  const head: Record<string, unknown> = { id: source['id'], object: 'chat.completion.chunk', created: source['created'], model: source['model'] };
  if (source['service_tier'] !== undefined) head['service_tier'] = source['service_tier'];
  if (source['system_fingerprint'] !== undefined) head['system_fingerprint'] = source['system_fingerprint'];
  return head;
}

interface ChoiceState {
  index: number;
  content: string;
  hasContent: boolean;
  refusal: string | null;
  reasoning: string | null;
  tools: Map<number, ChatToolCall>;
  finishReason: ChatFinishReason | null;
  logprobs: { content: unknown[]; refusal: unknown[] } | null;
}

function addLogprobs(state: ChoiceState, logprobs: unknown): void {
  if (!isObject(logprobs)) return;
  state.logprobs ??= { content: [], refusal: [] };
  if (Array.isArray(logprobs['content'])) state.logprobs.content.push(...(logprobs['content'] as unknown[]));
  if (Array.isArray(logprobs['refusal'])) state.logprobs.refusal.push(...(logprobs['refusal'] as unknown[]));
}

function addDelta(state: ChoiceState, delta: Record<string, unknown>): void {
  if (typeof delta['content'] === 'string') {
    state.content += delta['content'];
    state.hasContent = true;
  }
  if (typeof delta['refusal'] === 'string') state.refusal = (state.refusal ?? '') + delta['refusal'];
  if (typeof delta['reasoning_content'] === 'string') state.reasoning = (state.reasoning ?? '') + delta['reasoning_content'];
  const calls = delta['tool_calls'];
  if (!Array.isArray(calls)) return;
  for (const part of calls as unknown[]) {
    if (!isObject(part)) continue;
    const index = typeof part['index'] === 'number' ? part['index'] : state.tools.size;
    let call = state.tools.get(index);
    if (call === undefined) {
      call = { id: '', type: 'function', function: { name: '', arguments: '' } };
      state.tools.set(index, call);
    }
    if (typeof part['id'] === 'string') call.id = part['id'];
    const fn = part['function'];
    if (isObject(fn)) {
      if (typeof fn['name'] === 'string') call.function.name += fn['name'];
      if (typeof fn['arguments'] === 'string') call.function.arguments += fn['arguments'];
    }
  }
}

/**
 * Aggregates a complete Chat Completions stream into the JSON answer the same call would have had:
 * content and refusal concatenated, tool calls gathered by index with their arguments joined, the last
 * finish reason, logprobs joined, and usage (the stream's own, else `fallbackUsage`).
 * @param text The stream's text (SSE), ending with `data: [DONE]`.
 * @param fallbackUsage Usage to report when the stream carried none (it was hidden from the caller).
 * @returns The answer, or `null` when the stream holds no chunk or an error event.
 * @example
 * streamToChatResponse('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', null);
 * // { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }], ... }
 */
export function streamToChatResponse(text: string, fallbackUsage: ChatUsage | null): ChatResponse | null {
  let head: Record<string, unknown> | null = null;
  let usage: ChatUsage | null = null;
  const choices = new Map<number, ChoiceState>();
  for (const event of splitEvents(text)) {
    const data = eventData(event);
    if (data === null) continue;
    if (data === '[DONE]') break;
    const chunk = parseObject(data);
    if (chunk === null || chunk['error'] !== undefined) return null;
    head ??= chunk;
    if (isObject(chunk['usage'])) usage = chunk['usage'] as unknown as ChatUsage;
    const list = chunk['choices'];
    if (!Array.isArray(list)) continue;
    for (const choice of list as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      let state = choices.get(index);
      if (state === undefined) {
        state = { index, content: '', hasContent: false, refusal: null, reasoning: null, tools: new Map(), finishReason: null, logprobs: null };
        choices.set(index, state);
      }
      if (isObject(choice['delta'])) addDelta(state, choice['delta']);
      if (typeof choice['finish_reason'] === 'string') state.finishReason = choice['finish_reason'] as ChatFinishReason;
      addLogprobs(state, choice['logprobs']);
    }
  }
  if (head === null) return null;
  const response: ChatResponse = {
    id: String(head['id'] ?? ''),
    object: 'chat.completion',
    created: typeof head['created'] === 'number' ? head['created'] : 0,
    model: String(head['model'] ?? ''),
    choices: [...choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => {
        const tools = [...state.tools.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
        // Streams open with `content: ""` even when the answer is only tool calls; the JSON form says null.
        const content = state.content !== '' ? state.content : state.hasContent && tools.length === 0 ? '' : null;
        const message: ChatResponse['choices'][number]['message'] = { role: 'assistant', content, refusal: state.refusal };
        if (state.reasoning !== null) message.reasoning_content = state.reasoning;
        if (tools.length > 0) message.tool_calls = tools;
        return { index: state.index, message, logprobs: (state.logprobs ?? null) as null, finish_reason: state.finishReason };
      }),
  };
  if (head['service_tier'] !== undefined) response['service_tier'] = head['service_tier'];
  if (head['system_fingerprint'] !== undefined) response['system_fingerprint'] = head['system_fingerprint'];
  const finalUsage = usage ?? fallbackUsage;
  if (finalUsage !== null) response.usage = finalUsage;
  return response;
}

const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

/**
 * Splits a Chat Completions JSON answer into the events a stream of it would carry: per choice a role
 * chunk, reasoning, content, refusal, one chunk per tool call and a finish chunk; then the usage chunk
 * when asked for (other chunks then carry `"usage":null`, as OpenAI sends them); then `data: [DONE]`.
 * @param response The JSON answer.
 * @param includeUsage Whether the caller asked for `stream_options.include_usage`.
 * @param fallbackUsage Usage to report when the answer has none.
 * @returns One SSE event per element.
 */
export function chatResponseToEvents(response: ChatResponse, includeUsage: boolean, fallbackUsage: ChatUsage | null): string[] {
  const head = chunkHead(response as unknown as Record<string, unknown>);
  const tail = includeUsage ? { usage: null } : {};
  const events: string[] = [];
  const push = (choice: Record<string, unknown>): void => {
    events.push(sse({ ...head, choices: [{ logprobs: null, finish_reason: null, ...choice }], ...tail }));
  };
  for (const choice of Array.isArray(response.choices) ? response.choices : []) {
    const index = choice.index;
    const message = isObject(choice.message) ? choice.message : { role: 'assistant' as const, content: null };
    push({ index, delta: { role: 'assistant', content: '', refusal: null } });
    if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') push({ index, delta: { reasoning_content: message.reasoning_content } });
    if (typeof message.content === 'string' && message.content !== '') push({ index, delta: { content: message.content }, logprobs: choice.logprobs ?? null });
    if (typeof message.refusal === 'string' && message.refusal !== '') push({ index, delta: { refusal: message.refusal } });
    (message.tool_calls ?? []).forEach((call, callIndex) => {
      push({ index, delta: { tool_calls: [{ index: callIndex, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] } });
    });
    push({ index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' });
  }
  const usage = response.usage ?? fallbackUsage;
  if (includeUsage && usage !== null) events.push(sse({ ...head, choices: [], usage }));
  events.push('data: [DONE]\n\n');
  return events;
}

/**
 * Adds a usage chunk just before `data: [DONE]` of a stored stream whose usage was hidden from its caller.
 * @param chunks The stream's chunks.
 * @param usage The usage to show.
 * @returns New chunks (the chunk holding `[DONE]` is cut in two around the usage event).
 */
export function insertUsageChunk(chunks: readonly string[], usage: ChatUsage): string[] {
  let head: Record<string, unknown> | null = null;
  for (const event of splitEvents(chunks.join(''))) {
    const data = eventData(event);
    if (data === null || data === '[DONE]') continue;
    head = parseObject(data);
    if (head !== null) break;
  }
  if (head === null) return chunks.slice();
  const usageEvent = sse({ ...chunkHead(head), choices: [], usage });
  for (let index = chunks.length - 1; index >= 0; index--) {
    const chunk = chunks[index]!;
    const at = Math.max(chunk.lastIndexOf('data: [DONE]'), chunk.lastIndexOf('data:[DONE]'));
    if (at === -1) continue;
    const out = chunks.slice(0, index);
    if (at > 0) out.push(chunk.slice(0, at));
    out.push(usageEvent, chunk.slice(at));
    out.push(...chunks.slice(index + 1));
    return out;
  }
  return [...chunks, usageEvent];
}

const USAGE_NULL = ',"usage":null}';

/** Removes usage from one event: drops a usage-only chunk, strips the member from others. */
function withoutUsageEvent(event: string): string {
  const data = eventData(event);
  if (data === null || data === '[DONE]') return event;
  if (data.endsWith(USAGE_NULL)) return `data: ${data.slice(0, -USAGE_NULL.length)}}\n\n`;
  if (!data.includes('"usage"')) return event;
  const chunk = parseObject(data);
  if (chunk === null || chunk['usage'] === undefined) return event;
  const choices = chunk['choices'];
  if (Array.isArray(choices) && choices.length === 0) return '';
  const { usage: _usage, ...rest } = chunk;
  return sse(rest);
}

/**
 * Removes the usage chunk (and the `"usage":null` members) from a stored stream, for a caller that did
 * not ask for `include_usage`. Chunk boundaries stay where events allow.
 * @param chunks The stream's chunks.
 * @returns New chunks.
 */
export function removeUsage(chunks: readonly string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const chunk of chunks) {
    const text = pending + chunk;
    EVENT_END.lastIndex = 0;
    let last = 0;
    for (let match = EVENT_END.exec(text); match !== null; match = EVENT_END.exec(text)) last = match.index + match[0].length;
    pending = text.slice(last);
    if (last === 0) continue;
    let kept = '';
    for (const event of splitEvents(text.slice(0, last))) kept += withoutUsageEvent(event);
    if (kept !== '') out.push(kept);
  }
  if (pending !== '') out.push(pending);
  return out;
}
