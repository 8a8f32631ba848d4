/**
 * Serving a stored answer in the shape the caller asked for: a stream replayed with its original
 * chunking, and for chat in every dialect, a stream turned into one JSON answer and the other way
 * round. OpenAI Chat Completions converts here directly (the usage chunk shown only to callers that
 * asked for `stream_options.include_usage`); Anthropic Messages and Gemini go through the pivot with
 * their wire codecs, which the caller loads and passes in. The conversions are pure functions of text.
 * @module
 */
import type { Usage } from '../../events/record.js';
import type { ChatChunk, ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from '../../wire/chat/types.js';
import type { ClientCodec, ProviderCodec } from '../../wire/codec.js';
import type { Framer } from '../../wire/framing.js';

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

/** A new aggregation state for one choice. */
function choiceState(index: number): ChoiceState {
  return { index, content: '', hasContent: false, refusal: null, reasoning: null, tools: new Map(), finishReason: null, logprobs: null };
}

/**
 * Aggregates the pivot chunks of a complete stream into the JSON answer the same call would have had:
 * content and refusal concatenated, tool calls gathered by index with their arguments joined, the last
 * finish reason, logprobs joined, and usage (the stream's own, else `fallbackUsage`). Fields the first
 * chunk carries beyond the pivot (`service_tier`, `system_fingerprint`) are kept.
 * @param chunks The stream's chunks, in order (Chat Completions chunks, or a decoder's pivot chunks).
 * @param fallbackUsage Usage to report when the stream carried none (it was hidden from the caller).
 * @returns The answer, or `null` when there is no chunk.
 * @example
 * aggregateChunks([{ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] }], null);
 * // { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }], ... }
 */
export function aggregateChunks(chunks: readonly ChatChunk[], fallbackUsage: ChatUsage | null): ChatResponse | null {
  let head: Record<string, unknown> | null = null;
  let usage: ChatUsage | null = null;
  const choices = new Map<number, ChoiceState>();
  for (const pivot of chunks) {
    // Parsed wire chunks may miss or add fields: read them as records, defensively.
    const chunk = pivot as unknown as Record<string, unknown>;
    head ??= chunk;
    if (isObject(chunk['usage'])) usage = chunk['usage'] as unknown as ChatUsage;
    const list = chunk['choices'];
    if (!Array.isArray(list)) continue;
    for (const choice of list as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      let state = choices.get(index);
      if (state === undefined) {
        state = choiceState(index);
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

/**
 * Aggregates a complete Chat Completions stream into the JSON answer the same call would have had
 * (see {@link aggregateChunks}).
 * @param text The stream's text (SSE), ending with `data: [DONE]`.
 * @param fallbackUsage Usage to report when the stream carried none (it was hidden from the caller).
 * @returns The answer, or `null` when the stream holds no chunk or an error event.
 * @example
 * streamToChatResponse('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', null);
 * // { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }], ... }
 */
export function streamToChatResponse(text: string, fallbackUsage: ChatUsage | null): ChatResponse | null {
  const chunks: ChatChunk[] = [];
  for (const event of splitEvents(text)) {
    const data = eventData(event);
    if (data === null) continue;
    if (data === '[DONE]') break;
    const chunk = parseObject(data);
    if (chunk === null || chunk['error'] !== undefined) return null;
    chunks.push(chunk as unknown as ChatChunk);
  }
  return aggregateChunks(chunks, fallbackUsage);
}

const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

/**
 * Splits a JSON answer into the pivot chunks a stream of it would carry: per choice a role chunk,
 * reasoning, content, refusal, one chunk per tool call and a finish chunk; then, when `usage` is
 * given, a usage chunk (`choices: []`). Fields beyond the pivot (`service_tier`, `system_fingerprint`)
 * are repeated on every chunk, as OpenAI sends them.
 * @param response The JSON answer (Chat Completions, or a codec's pivot answer).
 * @param usage The usage to end with, or `null` for no usage chunk.
 * @returns The chunks, in order.
 * @example
 * responseToChunks(answer, null).length; // 3 for a text answer: role, content, finish
 */
export function responseToChunks(response: ChatResponse, usage: ChatUsage | null): ChatChunk[] {
  const head = chunkHead(response as unknown as Record<string, unknown>);
  const chunks: ChatChunk[] = [];
  const push = (choice: Record<string, unknown>): void => {
    chunks.push({ ...head, choices: [{ logprobs: null, finish_reason: null, ...choice }] } as unknown as ChatChunk);
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
  if (usage !== null) chunks.push({ ...head, choices: [], usage } as unknown as ChatChunk);
  return chunks;
}

/**
 * Splits a Chat Completions JSON answer into the events a stream of it would carry (the chunks of
 * {@link responseToChunks}); the usage chunk only when asked for (other chunks then carry
 * `"usage":null`, as OpenAI sends them); then `data: [DONE]`.
 * @param response The JSON answer.
 * @param includeUsage Whether the caller asked for `stream_options.include_usage`.
 * @param fallbackUsage Usage to report when the answer has none.
 * @returns One SSE event per element.
 */
export function chatResponseToEvents(response: ChatResponse, includeUsage: boolean, fallbackUsage: ChatUsage | null): string[] {
  const usage = includeUsage ? (response.usage ?? fallbackUsage) : null;
  const events = responseToChunks(response, usage).map((chunk) => sse(includeUsage && chunk.choices.length > 0 ? { ...chunk, usage: null } : chunk));
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

/** What converting an Anthropic or Gemini answer needs; the caller loads the codecs only when one converts. */
export interface DialectCodecs {
  /** The SDK dialect. */
  dialect: 'anthropic' | 'gemini';
  /** Writes the dialect's JSON answer and stream. */
  client: ClientCodec;
  /** Reads the dialect's JSON answer and stream. */
  provider: ProviderCodec;
  /** Creates an SSE framer (one per conversion). */
  createFramer: () => Framer;
}

/** Anthropic content the pivot carries whole; others (thinking with its signature, server tools) would be lost. */
const ANTHROPIC_BLOCKS: ReadonlySet<unknown> = /*@__PURE__*/ new Set(['text', 'tool_use']);
const ANTHROPIC_DELTAS: ReadonlySet<unknown> = /*@__PURE__*/ new Set(['text_delta', 'input_json_delta']);
/** Stop reasons that survive the round trip through the pivot (`stop_sequence` would come back as `end_turn`). */
const ANTHROPIC_STOPS: ReadonlySet<unknown> = /*@__PURE__*/ new Set([null, undefined, 'end_turn', 'max_tokens', 'tool_use', 'refusal']);
const GEMINI_PART_KEYS: ReadonlySet<string> = /*@__PURE__*/ new Set(['text', 'thought', 'functionCall']);
/** Candidate fields the conversion may drop without changing what the caller can do next. */
const GEMINI_CANDIDATE_KEYS: ReadonlySet<string> = /*@__PURE__*/ new Set(['content', 'finishReason', 'finishMessage', 'index', 'safetyRatings', 'avgLogprobs', 'tokenCount']);
const GEMINI_FINISHES: ReadonlySet<unknown> = /*@__PURE__*/ new Set([undefined, 'STOP', 'MAX_TOKENS', 'SAFETY']);

function anthropicBlockKept(block: unknown): boolean {
  if (!isObject(block) || !ANTHROPIC_BLOCKS.has(block['type'])) return false;
  const citations = block['citations'];
  return citations === undefined || citations === null || (Array.isArray(citations) && citations.length === 0);
}

function geminiCandidateKept(candidate: unknown): boolean {
  if (!isObject(candidate) || !GEMINI_FINISHES.has(candidate['finishReason'])) return false;
  for (const key of Object.keys(candidate)) if (!GEMINI_CANDIDATE_KEYS.has(key)) return false;
  const content = candidate['content'];
  if (content === undefined) return true;
  const parts = isObject(content) ? content['parts'] : undefined;
  if (parts === undefined) return true;
  // Thought signatures, inline data and code execution have no pivot form.
  return Array.isArray(parts) && parts.every((part) => isObject(part) && Object.keys(part).every((key) => GEMINI_PART_KEYS.has(key)));
}

/**
 * Tells whether a stored Anthropic or Gemini answer (a whole JSON answer, or one stream event's data)
 * converts to the other shape without losing anything the caller may send back or act on: thinking
 * signatures, citations, server-tool blocks, grounding, a `stop_sequence` stop. Such answers are served
 * only in the shape they were stored in.
 * @param dialect The dialect.
 * @param value The parsed answer or event.
 * @returns Whether the conversion keeps it whole.
 * @example
 * convertsWhole('anthropic', { type: 'message', content: [{ type: 'thinking', thinking: '…', signature: 'Eq…' }] }); // false
 */
export function convertsWhole(dialect: 'anthropic' | 'gemini', value: unknown): boolean {
  if (!isObject(value)) return false;
  if (dialect === 'anthropic') {
    const content = value['content'];
    if (Array.isArray(content)) return content.every(anthropicBlockKept) && ANTHROPIC_STOPS.has(value['stop_reason']);
    if (value['content_block'] !== undefined) return anthropicBlockKept(value['content_block']);
    const delta = value['delta'];
    if (value['type'] === 'content_block_delta') return isObject(delta) && ANTHROPIC_DELTAS.has(delta['type']);
    if (value['type'] === 'message_delta') return isObject(delta) && ANTHROPIC_STOPS.has(delta['stop_reason']);
    return true;
  }
  const candidates = value['candidates'];
  // An answer without candidates is a blocked prompt: its `promptFeedback` has no pivot form.
  if (candidates === undefined) return value['promptFeedback'] === undefined;
  return Array.isArray(candidates) && candidates.every(geminiCandidateKept);
}

/**
 * Turns a stored Anthropic or Gemini stream into the JSON answer the same call would have had: the
 * stream is decoded into pivot chunks, aggregated, and written as the dialect's answer.
 * @param codecs The dialect's codecs.
 * @param text The stream's text (SSE).
 * @param fallbackUsage Usage to report when the stream carried none.
 * @returns The JSON text, or `null` when the stream cannot be read, reports an error, ended without its
 * terminal event, or holds something the conversion would lose.
 * @example
 * const { anthropicClient, anthropicProvider } = await import('../../wire/anthropic/codec.js');
 * dialectStreamToJson({ dialect: 'anthropic', client: anthropicClient, provider: anthropicProvider, createFramer: createSseFramer }, stored, null);
 */
export function dialectStreamToJson(codecs: DialectCodecs, text: string, fallbackUsage: ChatUsage | null): string | null {
  const framer = codecs.createFramer();
  const decoder = codecs.provider.createDecoder();
  const chunks: ChatChunk[] = [];
  for (const frame of [...framer.push(encoder.encode(text)), ...framer.end()]) {
    if (!convertsWhole(codecs.dialect, parseObject(frame.data))) return null;
    chunks.push(...decoder.push(frame));
  }
  if (decoder.error !== null || !decoder.done) return null;
  const response = aggregateChunks(chunks, fallbackUsage);
  return response === null ? null : JSON.stringify(codecs.client.writeResponse(response, response.model));
}

/**
 * Turns a stored Anthropic or Gemini JSON answer into the stream a streaming call would have had: the
 * answer is read into the pivot, split into chunks, and each chunk encoded as the dialect's events.
 * @param codecs The dialect's codecs.
 * @param text The stored JSON text.
 * @param fallbackUsage Usage to report when the answer has none.
 * @returns The stream's pieces (one per pivot chunk that yields events), or `null` when the answer
 * cannot be read or holds something the conversion would lose.
 * @example
 * dialectJsonToEvents(codecs, '{"type":"message","content":[{"type":"text","text":"Hi"}],...}', null);
 * // ['event: message_start\ndata: {...}\n\n', 'event: content_block_start\n...', ...]
 */
export function dialectJsonToEvents(codecs: DialectCodecs, text: string, fallbackUsage: ChatUsage | null): string[] | null {
  const body = parseObject(text);
  if (body === null || !convertsWhole(codecs.dialect, body)) return null;
  const read = codecs.provider.readResponse(body);
  if (!read.ok) return null;
  const response = read.value;
  const streamEncoder = codecs.client.createEncoder({ model: response.model, id: response.id, created: response.created, includeUsage: false });
  const events: string[] = [];
  for (const chunk of responseToChunks(response, response.usage ?? fallbackUsage)) {
    const piece = streamEncoder.push(chunk);
    if (piece !== '') events.push(piece);
  }
  const last = streamEncoder.end();
  if (last !== '') events.push(last);
  return events;
}
