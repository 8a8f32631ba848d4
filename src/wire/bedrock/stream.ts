/**
 * ConverseStream frames → Chat Completions chunks (providers.md §5.5, §7.6). Frames come from
 * `toStreamFrame` (./event-stream.ts) over the binary event-stream; each event's payload is the event's own members
 * (`{contentBlockIndex, delta}`), not wrapped in its name. Pure.
 * @module
 */
import type { ChatChunk, ChatToolCallDelta } from '../chat/types.js';
import type { ProviderError, StreamDecoder, StreamFrame } from '../codec.js';
import { mapStopReason, readBedrockError, toChatUsage } from './response.js';

type Delta = ChatChunk['choices'][number]['delta'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Exception`-suffixed event names are modeled exceptions (`throttlingException`...). */
function isException(event: string): boolean {
  return event.endsWith('Exception');
}

/**
 * Decodes one ConverseStream into pivot chunks: `messageStart` → role chunk, tool block start → tool
 * header, deltas → content / argument fragments / `reasoning_content`, `messageStop` → finish chunk,
 * `metadata` → usage chunk (`choices: []`) and `done`. Exceptions set `error`. Chunks carry `id` `''`,
 * `created` 0 and `model` `''`: the client-side encoder supplies its own. Reasoning signatures and
 * redacted reasoning, citations and block stops yield nothing.
 * @example
 * const decoder = new BedrockStreamDecoder();
 * for (const message of eventDecoder.push(bytes)) for (const chunk of decoder.push(toStreamFrame(message))) send(chunk);
 */
export class BedrockStreamDecoder implements StreamDecoder {
  #done = false;
  #error: ProviderError | null = null;
  /** Content block index → tool-call index. Bounded by the blocks of one answer. */
  readonly #toolIndexes = new Map<number, number>();

  /** Whether `metadata`, the last event, arrived. */
  get done(): boolean {
    return this.#done;
  }

  /** The exception the stream carried, once it has. */
  get error(): ProviderError | null {
    return this.#error;
  }

  /**
   * Reads one frame.
   * @param frame An event-stream message as a frame.
   * @returns The chunks it yields; none after `done` or an error.
   */
  push(frame: StreamFrame): ChatChunk[] {
    if (this.#done || this.#error !== null || frame.event === null) return [];
    const event = frame.event;
    if (event === 'error' || isException(event)) {
      this.#error = readBedrockError(0, parse(frame.data) ?? frame.data, event === 'error' ? codeOf(frame.data) : event);
      return [];
    }
    const payload = parse(frame.data);
    if (!isRecord(payload)) {
      this.#error = { kind: 'server', status: 502, message: `Bedrock stream event '${event}' has no JSON object payload`, code: null };
      return [];
    }
    switch (event) {
      case 'messageStart':
        return [chunk({ role: 'assistant', content: '' })];
      case 'contentBlockStart':
        return this.#blockStart(payload);
      case 'contentBlockDelta':
        return this.#blockDelta(payload);
      case 'messageStop':
        return this.#stop(payload);
      case 'metadata': {
        this.#done = true;
        const usage = toChatUsage(payload['usage']);
        return usage === null ? [] : [{ ...chunk({}), choices: [], usage }];
      }
      default:
        // contentBlockStop, and events added after this was written.
        return [];
    }
  }

  #toolIndex(blockIndex: number): number {
    let index = this.#toolIndexes.get(blockIndex);
    if (index === undefined) {
      index = this.#toolIndexes.size;
      this.#toolIndexes.set(blockIndex, index);
    }
    return index;
  }

  #blockStart(payload: Record<string, unknown>): ChatChunk[] {
    const start = payload['start'];
    const toolUse = isRecord(start) ? start['toolUse'] : undefined;
    if (!isRecord(toolUse) || typeof toolUse['toolUseId'] !== 'string' || typeof toolUse['name'] !== 'string') return [];
    const blockIndex = typeof payload['contentBlockIndex'] === 'number' ? payload['contentBlockIndex'] : -1;
    const call: ChatToolCallDelta = {
      index: this.#toolIndex(blockIndex),
      id: toolUse['toolUseId'],
      type: 'function',
      function: { name: toolUse['name'], arguments: '' },
    };
    return [chunk({ tool_calls: [call] })];
  }

  #blockDelta(payload: Record<string, unknown>): ChatChunk[] {
    const delta = payload['delta'];
    if (!isRecord(delta)) return [];
    if (typeof delta['text'] === 'string') return delta['text'] === '' ? [] : [chunk({ content: delta['text'] })];
    const toolUse = delta['toolUse'];
    if (isRecord(toolUse)) {
      const input = toolUse['input'];
      if (typeof input !== 'string' || input === '') return [];
      const blockIndex = typeof payload['contentBlockIndex'] === 'number' ? payload['contentBlockIndex'] : -1;
      return [chunk({ tool_calls: [{ index: this.#toolIndex(blockIndex), function: { arguments: input } }] })];
    }
    const reasoning = delta['reasoningContent'];
    if (isRecord(reasoning) && typeof reasoning['text'] === 'string' && reasoning['text'] !== '') {
      return [chunk({ reasoning_content: reasoning['text'] })];
    }
    return [];
  }

  #stop(payload: Record<string, unknown>): ChatChunk[] {
    const stopReason = typeof payload['stopReason'] === 'string' ? payload['stopReason'] : 'end_turn';
    const finishReason = mapStopReason(stopReason);
    if (finishReason === null) {
      // §7.2: a malformed answer is an upstream failure, not a finished one.
      this.#error = { kind: 'server', status: 502, message: `Bedrock stopped with '${stopReason}'`, code: stopReason };
      return [];
    }
    return [{ ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: finishReason, logprobs: null }] }];
  }
}

function chunk(delta: Delta): ChatChunk {
  return { id: '', object: 'chat.completion.chunk', created: 0, model: '', choices: [{ index: 0, delta, finish_reason: null, logprobs: null }] };
}

function parse(data: string): unknown {
  if (data === '') return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

/** The `code` that `toStreamFrame` puts in an unmodeled error frame's data. */
function codeOf(data: string): string | null {
  const value = parse(data);
  return isRecord(value) && typeof value['code'] === 'string' ? value['code'] : null;
}
