/**
 * Gemini `streamGenerateContent?alt=sse` streams to and from pivot chunks (providers.md §4.5, §7.6).
 * Each SSE event is a whole `GenerateContentResponse` holding only the new parts; there is no
 * terminal event. Pure.
 * @module
 */
import type { ChatChunk, ChatUsage } from '../chat/types.js';
import type { EncoderOptions, ProviderError, StreamDecoder, StreamEncoder, StreamFrame } from '../codec.js';
import { errorEventStatus, geminiErrorBody, readGeminiError } from './errors.js';
import { chatFinishReason, chatUsage, createdSeconds, functionCallParts, geminiFinishReason, geminiUsage } from './response.js';
import { field, isObject, numberField, stringField, type GeminiCandidate, type GeminiPart, type GeminiResponse } from './types.js';

type ChunkChoice = ChatChunk['choices'][number];

/**
 * Creates a decoder for one Gemini SSE stream.
 * @returns A decoder whose `done` turns true once every candidate has a finish reason: Gemini just
 *   closes the stream, so a stream that closes before that was truncated.
 * @example
 * const decoder = createGeminiDecoder();
 * const chunks = decoder.push({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]}' });
 */
export function createGeminiDecoder(): StreamDecoder {
  return new GeminiDecoder();
}

class GeminiDecoder implements StreamDecoder {
  done = false;
  error: ProviderError | null = null;
  #started = false;
  #id = '';
  #model = '';
  #created = 0;
  #calls = 0;
  readonly #seen = new Set<number>();
  readonly #finished = new Set<number>();
  readonly #toolCounts = new Map<number, number>();

  push(frame: StreamFrame): ChatChunk[] {
    if (this.error !== null || frame.data.trim() === '') return [];
    let body: unknown;
    try {
      body = JSON.parse(frame.data);
    } catch {
      this.error = { kind: 'server', status: 502, message: 'Gemini sent a stream event that is not JSON', code: null };
      return [];
    }
    if (isObject(body) && isObject(body['error'])) {
      this.error = readGeminiError(errorEventStatus(body), body);
      return [];
    }
    if (!isObject(body)) {
      this.error = { kind: 'server', status: 502, message: 'Gemini sent a stream event that is not a JSON object', code: null };
      return [];
    }
    if (!this.#started) {
      this.#started = true;
      this.#id = stringField(body, 'responseId') ?? '';
      this.#model = stringField(body, 'modelVersion') ?? '';
      this.#created = createdSeconds(body);
    }
    const chunks: ChatChunk[] = [];
    const wasDone = this.done;
    const candidates = field(body, 'candidates');
    if (Array.isArray(candidates) && candidates.length > 0) {
      for (const [position, candidate] of candidates.entries()) {
        if (isObject(candidate)) this.#candidate(candidate, numberField(candidate, 'index') ?? position, chunks);
        if (this.error !== null) return chunks;
      }
    } else {
      const feedback = field(body, 'promptFeedback');
      // A blocked prompt streams one event with no candidates (§4.2): a filtered answer.
      if (isObject(feedback) && stringField(feedback, 'blockReason') !== undefined) {
        this.#role(0, chunks);
        chunks.push(this.#chunk([{ index: 0, delta: {}, finish_reason: 'content_filter' }]));
        this.#finished.add(0);
      }
    }
    if (!this.done && this.#finished.size > 0 && [...this.#seen].every((index) => this.#finished.has(index))) this.done = true;
    const usage = chatUsage(field(body, 'usageMetadata'));
    // Usage is cumulative and rides on the finishing event: one usage chunk right after the finish.
    if (usage !== undefined && this.done && (!wasDone || chunks.length === 0)) chunks.push(this.#usageChunk(usage));
    return chunks;
  }

  #candidate(candidate: Record<string, unknown>, index: number, chunks: ChatChunk[]): void {
    this.#role(index, chunks);
    const content = field(candidate, 'content');
    const parts = isObject(content) ? field(content, 'parts') : undefined;
    for (const part of Array.isArray(parts) ? parts : []) {
      if (!isObject(part)) continue;
      const text = field(part, 'text');
      const call = field(part, 'functionCall');
      if (typeof text === 'string') {
        // A signature-only part (`{"text":"","thoughtSignature":...}`) carries nothing to show.
        if (text === '') continue;
        const delta: ChunkChoice['delta'] = field(part, 'thought') === true ? { reasoning_content: text } : { content: text };
        chunks.push(this.#chunk([{ index, delta, finish_reason: null }]));
      } else if (isObject(call) && typeof call['name'] === 'string') {
        const toolIndex = this.#toolCounts.get(index) ?? 0;
        this.#toolCounts.set(index, toolIndex + 1);
        const args = field(call, 'args');
        const id = stringField(call, 'id') ?? `call_${this.#calls}`;
        this.#calls++;
        const argumentsText = JSON.stringify(isObject(args) ? args : {});
        chunks.push(this.#chunk([{ index, delta: { tool_calls: [{ index: toolIndex, id, type: 'function', function: { name: call['name'], arguments: argumentsText } }] }, finish_reason: null }]));
      }
    }
    const reason = stringField(candidate, 'finishReason');
    if (reason === undefined) return;
    const finish = chatFinishReason(reason, (this.#toolCounts.get(index) ?? 0) > 0);
    if (finish === null) {
      const detail = stringField(candidate, 'finishMessage');
      this.error = { kind: 'server', status: 502, message: `Gemini could not finish its answer: ${reason}${detail === undefined ? '' : ` (${detail})`}`, code: reason };
      return;
    }
    chunks.push(this.#chunk([{ index, delta: {}, finish_reason: finish }]));
    this.#finished.add(index);
  }

  #role(index: number, chunks: ChatChunk[]): void {
    if (this.#seen.has(index)) return;
    this.#seen.add(index);
    chunks.push(this.#chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
  }

  #chunk(choices: ChunkChoice[]): ChatChunk {
    return { id: this.#id, object: 'chat.completion.chunk', created: this.#created, model: this.#model, choices };
  }

  #usageChunk(usage: ChatUsage): ChatChunk {
    return { ...this.#chunk([]), usage };
  }
}

/** A function call being assembled from argument fragments. */
interface PendingCall {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * Creates an encoder that writes pivot chunks as a Gemini SSE stream for `@google/genai`.
 * Text and thoughts go out as they come; function calls go out whole, with the finish reason and
 * the usage, on the last event at {@link StreamEncoder.end}. Every event, the last included, ends
 * with a blank line (`\r\n\r\n`), which the SDK requires.
 * @param options The model and response id to show the SDK.
 * @example
 * const encoder = createGeminiEncoder({ model: 'gemini-2.5-flash', id: 'resp_1', created: 0, includeUsage: true });
 * encoder.push(chunk); // 'data: {"candidates":[...],"modelVersion":"gemini-2.5-flash","responseId":"resp_1"}\r\n\r\n'
 */
export function createGeminiEncoder(options: EncoderOptions): StreamEncoder {
  return new GeminiEncoder(options);
}

class GeminiEncoder implements StreamEncoder {
  readonly #model: string;
  readonly #id: string;
  /** Per choice, per tool-call index. */
  readonly #calls = new Map<number, Map<number, PendingCall>>();
  /** Finished choices, held back until the end so the last event carries finish reason and usage together. */
  readonly #finished = new Map<number, GeminiCandidate & { content: { role: string; parts: GeminiPart[] } }>();
  #usage: ChatUsage | undefined;
  #ended = false;

  constructor(options: EncoderOptions) {
    this.#model = options.model;
    this.#id = options.id;
  }

  push(chunk: ChatChunk): string {
    if (this.#ended) return '';
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    const live: GeminiCandidate[] = [];
    for (const choice of chunk.choices) {
      const parts: GeminiPart[] = [];
      const { delta } = choice;
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') parts.push({ text: delta.reasoning_content, thought: true });
      if (typeof delta.content === 'string' && delta.content !== '') parts.push({ text: delta.content });
      // Gemini has no refusal field: the refusal is what the model said.
      if (typeof delta.refusal === 'string' && delta.refusal !== '') parts.push({ text: delta.refusal });
      for (const call of delta.tool_calls ?? []) this.#collect(choice.index, call);
      if (choice.finish_reason !== null) {
        const held = this.#held(choice.index);
        held.content.parts.push(...parts, ...this.#flushCalls(choice.index));
        held.finishReason = geminiFinishReason(choice.finish_reason);
      } else if (parts.length > 0) {
        live.push({ content: { role: 'model', parts }, index: choice.index });
      }
    }
    return live.length > 0 ? this.#event({ candidates: live }) : '';
  }

  end(): string {
    if (this.#ended) return '';
    this.#ended = true;
    // Calls of a choice that never finished still go out: the upstream completed.
    for (const index of this.#calls.keys()) this.#held(index).content.parts.push(...this.#flushCalls(index));
    const candidates = [...this.#finished.values()].sort((left, right) => (left.index ?? 0) - (right.index ?? 0));
    // The SDK's chat session drops the whole answer from its history if any event has no parts.
    for (const candidate of candidates) if (candidate.content.parts.length === 0) candidate.content.parts.push({ text: '' });
    if (candidates.length === 0 && this.#usage === undefined) return '';
    const body: GeminiResponse = {};
    if (candidates.length > 0) body.candidates = candidates;
    if (this.#usage !== undefined) body.usageMetadata = geminiUsage(this.#usage);
    return this.#event(body);
  }

  error(error: ProviderError): string {
    this.#ended = true;
    // The SDK raises ApiError on an event whose JSON is `{error: {code: 4xx/5xx, ...}}`.
    return `data: ${JSON.stringify(geminiErrorBody(error))}\r\n\r\n`;
  }

  #collect(choice: number, delta: NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number]): void {
    let calls = this.#calls.get(choice);
    if (calls === undefined) {
      calls = new Map();
      this.#calls.set(choice, calls);
    }
    let call = calls.get(delta.index);
    if (call === undefined) {
      call = { name: '', arguments: '' };
      calls.set(delta.index, call);
    }
    if (delta.id !== undefined) call.id = delta.id;
    // Some OpenAI-compatible servers repeat the name on every fragment: it is set, never appended.
    if (delta.function?.name !== undefined && delta.function.name !== '') call.name = delta.function.name;
    if (delta.function?.arguments !== undefined) call.arguments += delta.function.arguments;
  }

  #flushCalls(choice: number): GeminiPart[] {
    const calls = this.#calls.get(choice);
    if (calls === undefined) return [];
    this.#calls.delete(choice);
    return functionCallParts([...calls.entries()].sort(([left], [right]) => left - right).map(([, call]) => call));
  }

  #held(index: number): GeminiCandidate & { content: { role: string; parts: GeminiPart[] } } {
    let held = this.#finished.get(index);
    if (held === undefined) {
      held = { content: { role: 'model', parts: [] }, index };
      this.#finished.set(index, held);
    }
    return held;
  }

  #event(body: GeminiResponse): string {
    body.modelVersion = this.#model;
    body.responseId = this.#id;
    return `data: ${JSON.stringify(body)}\r\n\r\n`;
  }
}
