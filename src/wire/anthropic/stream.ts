/**
 * Anthropic Messages streams to and from pivot chunks: the decoder follows providers.md §7.4, the
 * encoder §7.5. Pure: one instance per stream, fed in order.
 * @module
 */
import type { ChatChunk, ChatToolCallDelta, ChatUsage } from '../chat/types.js';
import type { EncoderOptions, ProviderError, StreamDecoder, StreamEncoder, StreamFrame } from '../codec.js';
import { anthropicErrorBody, readAnthropicStreamError } from './errors.js';
import { toAnthropicUsage, toChatUsage, toFinishReason, toMessageId, toStopReason } from './response.js';
import { type AnthropicStopReason, type AnthropicStreamEvent, type AnthropicUsage, type JsonObject, isObject } from './types.js';

type Delta = ChatChunk['choices'][number]['delta'];

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/**
 * Decodes one Anthropic SSE stream into pivot chunks.
 *
 * `message_start` yields the role chunk; text, thinking and tool-argument deltas yield content,
 * `reasoning_content` and tool-call fragments (tool index counted in order of `tool_use` blocks);
 * `message_delta` yields the finish chunk; `message_stop` yields the usage chunk (`choices: []`, only
 * when Anthropic reported usage) and ends the stream. `ping`, signatures, citations, redacted thinking,
 * server-tool blocks and unknown events yield nothing. An `error` event, or an event that is not JSON,
 * sets {@link error} and stops the stream.
 * @example
 * const decoder = new AnthropicStreamDecoder();
 * decoder.push({ event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":25,"output_tokens":1}}}' });
 * // [{ id: 'chatcmpl-msg_1', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ... }]
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  #id = 'chatcmpl-';
  #model = '';
  #done = false;
  #error: ProviderError | null = null;
  #finished = false;
  #nextTool = 0;
  /** Anthropic block index → tool index, and whether any argument text was sent for it. */
  readonly #tools = new Map<number, { index: number; hasArguments: boolean }>();
  readonly #usage: Partial<Record<(typeof USAGE_KEYS)[number], number>> & { thinking?: number; hour?: number } = {};
  #hasUsage = false;

  /** Whether `message_stop` arrived. */
  get done(): boolean {
    return this.#done;
  }

  /** The error Anthropic reported in the stream, or the reason the stream could not be read. */
  get error(): ProviderError | null {
    return this.#error;
  }

  /**
   * Reads one SSE event.
   * @param frame The event's name and data.
   * @returns The chunks it yields; none once the stream ended or failed.
   */
  push(frame: StreamFrame): ChatChunk[] {
    if (this.#done || this.#error !== null) return [];
    let event: unknown;
    try {
      event = JSON.parse(frame.data);
    } catch {
      this.#error = { kind: 'server', status: 502, message: `malformed Anthropic stream event '${frame.event ?? 'message'}': its data is not JSON`, code: null };
      return [];
    }
    if (!isObject(event)) return [];
    const type = typeof event['type'] === 'string' ? event['type'] : frame.event;
    switch (type) {
      case 'message_start':
        return this.#start(event['message']);
      case 'content_block_start':
        return this.#blockStart(event);
      case 'content_block_delta':
        return this.#blockDelta(event);
      case 'content_block_stop':
        return this.#blockStop(event);
      case 'message_delta':
        return this.#messageDelta(event);
      case 'message_stop':
        this.#done = true;
        return this.#hasUsage ? [this.#usageChunk()] : [];
      case 'error':
        this.#error = readAnthropicStreamError(event);
        return [];
      default:
        // ping, and event types added after this was written (Anthropic's versioning policy).
        return [];
    }
  }

  #chunk(delta: Delta, finishReason: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk {
    return { id: this.#id, object: 'chat.completion.chunk', created: 0, model: this.#model, choices: [{ index: 0, delta, finish_reason: finishReason }] };
  }

  #start(message: unknown): ChatChunk[] {
    if (isObject(message)) {
      if (typeof message['id'] === 'string') this.#id = `chatcmpl-${message['id']}`;
      if (typeof message['model'] === 'string') this.#model = message['model'];
      this.#readUsage(message['usage']);
    }
    return [this.#chunk({ role: 'assistant', content: '' })];
  }

  #blockStart(event: JsonObject): ChatChunk[] {
    const index = event['index'];
    const block = event['content_block'];
    if (typeof index !== 'number' || !isObject(block)) return [];
    switch (block['type']) {
      case 'text':
        return typeof block['text'] === 'string' && block['text'] !== '' ? [this.#chunk({ content: block['text'] })] : [];
      case 'thinking':
        return typeof block['thinking'] === 'string' && block['thinking'] !== '' ? [this.#chunk({ reasoning_content: block['thinking'] })] : [];
      case 'tool_use': {
        const tool = { index: this.#nextTool++, hasArguments: false };
        this.#tools.set(index, tool);
        const header: ChatToolCallDelta = {
          index: tool.index,
          id: typeof block['id'] === 'string' ? block['id'] : '',
          type: 'function',
          function: { name: typeof block['name'] === 'string' ? block['name'] : '', arguments: '' },
        };
        return [this.#chunk({ tool_calls: [header] })];
      }
      default:
        // redacted_thinking and server-tool blocks run inside Anthropic; a Chat client has no place for them.
        return [];
    }
  }

  #blockDelta(event: JsonObject): ChatChunk[] {
    const delta = event['delta'];
    if (!isObject(delta)) return [];
    switch (delta['type']) {
      case 'text_delta':
        return typeof delta['text'] === 'string' && delta['text'] !== '' ? [this.#chunk({ content: delta['text'] })] : [];
      case 'thinking_delta':
        return typeof delta['thinking'] === 'string' && delta['thinking'] !== '' ? [this.#chunk({ reasoning_content: delta['thinking'] })] : [];
      case 'input_json_delta': {
        const tool = typeof event['index'] === 'number' ? this.#tools.get(event['index']) : undefined;
        const fragment = delta['partial_json'];
        // Fragments of server_tool_use blocks have no tool entry; empty fragments say nothing.
        if (tool === undefined || typeof fragment !== 'string' || fragment === '') return [];
        tool.hasArguments = true;
        return [this.#chunk({ tool_calls: [{ index: tool.index, function: { arguments: fragment } }] })];
      }
      default:
        // signature_delta, citations_delta: nothing a Chat client can use.
        return [];
    }
  }

  #blockStop(event: JsonObject): ChatChunk[] {
    const tool = typeof event['index'] === 'number' ? this.#tools.get(event['index']) : undefined;
    if (tool === undefined || tool.hasArguments) return [];
    // Empty input concatenates to "", which is not JSON; Chat clients parse arguments, so send "{}".
    tool.hasArguments = true;
    return [this.#chunk({ tool_calls: [{ index: tool.index, function: { arguments: '{}' } }] })];
  }

  #messageDelta(event: JsonObject): ChatChunk[] {
    this.#readUsage(event['usage']);
    const delta = event['delta'];
    const stopReason = isObject(delta) ? delta['stop_reason'] : undefined;
    if (this.#finished || stopReason === undefined || stopReason === null) return [];
    this.#finished = true;
    return [this.#chunk({}, toFinishReason(stopReason))];
  }

  #readUsage(usage: unknown): void {
    if (!isObject(usage)) return;
    // Counts are cumulative: the latest value of each wins.
    for (const key of USAGE_KEYS) {
      const value = usage[key];
      if (typeof value === 'number') {
        this.#usage[key] = value;
        this.#hasUsage = true;
      }
    }
    const creation = usage['cache_creation'];
    if (isObject(creation) && typeof creation['ephemeral_1h_input_tokens'] === 'number') this.#usage.hour = creation['ephemeral_1h_input_tokens'];
    const details = usage['output_tokens_details'];
    if (isObject(details) && typeof details['thinking_tokens'] === 'number') this.#usage.thinking = details['thinking_tokens'];
  }

  #usageChunk(): ChatChunk {
    const { thinking, hour, ...counts } = this.#usage;
    const usage: Partial<AnthropicUsage> = { ...counts };
    if (hour !== undefined) usage.cache_creation = { ephemeral_1h_input_tokens: hour };
    if (thinking !== undefined) usage.output_tokens_details = { thinking_tokens: thinking };
    return { id: this.#id, object: 'chat.completion.chunk', created: 0, model: this.#model, choices: [], usage: toChatUsage(usage) };
  }
}

/**
 * Writes one SSE event the way the Anthropic SDK reads it: the SDK drops events without an `event:` line.
 * @param event The event; its `type` is also the event name.
 */
export function sseEvent(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

type OpenBlock = { index: number; kind: 'text' | 'thinking' | 'tool'; toolIndex: number };

/**
 * Encodes pivot chunks as an Anthropic Messages stream.
 *
 * The first chunk opens the message (`message_start`, input usage 0: it is known only at the end).
 * Text, reasoning and each tool call get their own block, opened when their first delta arrives and
 * closed when another block opens or the finish chunk comes; thinking blocks get no signature (none
 * can be made). `message_delta` (stop reason and usage) and `message_stop` follow the usage chunk,
 * which arrives after the finish chunk, or `end()` when no usage chunk comes. A stream that ends with no
 * finish reason was cut: `end()` then writes an `api_error` event rather than a made-up `end_turn`.
 * @example
 * const encoder = new AnthropicStreamEncoder({ model: 'claude-sonnet-4-5', id: 'msg_1', created: 0, includeUsage: true });
 * encoder.push(chunk); // 'event: message_start\ndata: {...}\n\nevent: content_block_start\n...'
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  readonly #options: EncoderOptions;
  #started = false;
  #closed = false;
  #open: OpenBlock | null = null;
  #nextBlock = 0;
  /** Pivot tool index → Anthropic block index. */
  readonly #toolBlocks = new Map<number, number>();
  #stopReason: AnthropicStopReason | null = null;
  #usage: ChatUsage | null = null;

  /** @param options The id and model to show the SDK (`id` is made a `msg_` id). */
  constructor(options: EncoderOptions) {
    this.#options = options;
  }

  /**
   * Encodes one pivot chunk.
   * @param chunk The next chunk; only choice 0 is written (an Anthropic client cannot ask for more).
   * @returns The events it completes, or `''`.
   */
  push(chunk: ChatChunk): string {
    if (this.#closed) return '';
    let out = this.#start();
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      const delta = choice.delta;
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') out += this.#thinking(delta.reasoning_content);
      if (typeof delta.content === 'string' && delta.content !== '') out += this.#text(delta.content);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.#text(delta.refusal);
      for (const call of delta.tool_calls ?? []) out += this.#tool(call);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        out += this.#closeBlock();
        this.#stopReason = toStopReason(choice.finish_reason);
      }
    }
    if (chunk.usage !== null && chunk.usage !== undefined) this.#usage = chunk.usage;
    // The usage chunk (`choices: []`) comes last, after the finish chunk: the message can close.
    if (this.#stopReason !== null && chunk.choices.length === 0 && this.#usage !== null) out += this.#finish();
    return out;
  }

  /**
   * Closes a stream whose upstream completed.
   * @returns The closing events, or an `error` event when no finish reason ever came.
   */
  end(): string {
    if (this.#closed) return '';
    if (this.#stopReason === null) {
      return this.#start() + this.error({ kind: 'server', status: 502, message: 'the upstream stream ended before a finish reason', code: null });
    }
    return this.#start() + this.#closeBlock() + this.#finish();
  }

  /**
   * Ends the stream with an `error` event, which the Anthropic SDK raises as an `APIError`.
   * @param error The provider error.
   */
  error(error: ProviderError): string {
    if (this.#closed) return '';
    this.#closed = true;
    return sseEvent(anthropicErrorBody(error));
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    return sseEvent({
      type: 'message_start',
      message: {
        id: toMessageId(this.#options.id),
        type: 'message',
        role: 'assistant',
        model: this.#options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  #openBlock(kind: OpenBlock['kind'], block: Extract<AnthropicStreamEvent, { type: 'content_block_start' }>['content_block'], toolIndex = -1): string {
    const out = this.#closeBlock();
    const index = this.#nextBlock++;
    this.#open = { index, kind, toolIndex };
    return out + sseEvent({ type: 'content_block_start', index, content_block: block });
  }

  #closeBlock(): string {
    if (this.#open === null) return '';
    const index = this.#open.index;
    this.#open = null;
    return sseEvent({ type: 'content_block_stop', index });
  }

  #thinking(text: string): string {
    let out = '';
    if (this.#open?.kind !== 'thinking') out = this.#openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
    return out + sseEvent({ type: 'content_block_delta', index: this.#nextBlock - 1, delta: { type: 'thinking_delta', thinking: text } });
  }

  #text(text: string): string {
    let out = '';
    if (this.#open?.kind !== 'text') out = this.#openBlock('text', { type: 'text', text: '' });
    return out + sseEvent({ type: 'content_block_delta', index: this.#nextBlock - 1, delta: { type: 'text_delta', text } });
  }

  #tool(call: ChatToolCallDelta): string {
    let out = '';
    let blockIndex = this.#toolBlocks.get(call.index);
    if (blockIndex === undefined) {
      // A fragment with no header first (rare): the block still needs an id; make a stable one.
      const id = call.id ?? `toolu_${toMessageId(this.#options.id).slice('msg_'.length)}_${call.index}`;
      out = this.#openBlock('tool', { type: 'tool_use', id, name: call.function?.name ?? '', input: {} }, call.index);
      blockIndex = this.#nextBlock - 1;
      this.#toolBlocks.set(call.index, blockIndex);
    }
    const fragment = call.function?.arguments;
    if (typeof fragment === 'string' && fragment !== '') {
      // OpenAI never interleaves calls; if a provider does, the SDK still accumulates by block index.
      out += sseEvent({ type: 'content_block_delta', index: blockIndex, delta: { type: 'input_json_delta', partial_json: fragment } });
    }
    return out;
  }

  #finish(): string {
    this.#closed = true;
    const usage = toAnthropicUsage(this.#usage);
    return (
      sseEvent({ type: 'message_delta', delta: { stop_reason: this.#stopReason ?? 'end_turn', stop_sequence: null }, usage }) +
      sseEvent({ type: 'message_stop' })
    );
  }
}
