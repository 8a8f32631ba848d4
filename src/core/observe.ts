/**
 * Observes a streamed response on its way to the SDK: time to first chunk, usage, errors and the end,
 * with a pull-based stream (reads upstream only when the SDK reads, so back-pressure reaches the
 * socket; cancelling it cancels upstream). Events are framed on bytes and decoded only when needed.
 * @module
 */
import { parseSseEvent, payloadEnd, payloadEndsWithAscii, SseFramer } from '../wire/sse.js';
import {
  inspectChatEvent,
  inspectResponsesEvent,
  newStreamState,
  readModel,
  usageNullOffset,
  USAGE_NULL_MEMBER_LENGTH,
  type StreamState,
} from '../wire/openai/stream.js';
import type { CallOutcome } from '../events/record.js';
import { pivotUsage } from '../wire/chat/usage.js';
import type { StreamDecoder } from '../wire/codec.js';
import type { CallContext } from './context.js';

/** What to look for in a stream. */
export type StreamMode =
  /** Pass chunks through untouched; only timing and the end are observed. */
  | { kind: 'pass' }
  /** Chat Completions: read usage; `hideUsage` removes what Sluice's own `include_usage` added. */
  | { kind: 'chat'; hideUsage: boolean }
  /** Responses API: read usage from the terminal event. */
  | { kind: 'responses' }
  /** Another dialect passing through unchanged (Anthropic to Anthropic...): decoded on the side for usage and the end. */
  | { kind: 'decode'; decoder: StreamDecoder };

/** Called once when the stream ends, however it ends. */
export type StreamEnd = (outcome: CallOutcome, state: StreamState, error: unknown) => void;

/** Options for {@link observeStream}. */
export interface ObserveOptions {
  mode: StreamMode;
  /** Keep up to this many bytes of the stream for the record (0 keeps none). */
  captureBytes: number;
  /** Called with each chunk as it goes to the SDK, when a callback wants stream events. */
  onChunk: ((chunk: Uint8Array, index: number) => void) | null;
  onEnd: StreamEnd;
  /** Time limits on the stream's reads (idle, total): a limit that runs out ends it with `errorEvent`. */
  limits: StreamLimitOptions;
  /** Ends the stream with an error when an event Sluice frames grows past this many bytes. */
  maxEventBytes: number;
  /**
   * The dialect's error event for a failure after the headers (a reset, an idle provider), so the SDK's
   * stream reader raises an API error; `null` propagates the failure as a stream error instead.
   */
  errorEvent: ((message: string, precededByPartialEvent: boolean) => string) | null;
}

/**
 * Ends a stream's call when the SDK aborts without reading on or cancelling the stream (the call must
 * still end, once), and cancels the upstream reader.
 * @param ctx The call, whose `signal` is the SDK's.
 * @param reader The upstream reader.
 * @param end Ends the call as cancelled; called at most once here, and must ignore a second end.
 * @returns What to call when the stream ends first, to stop watching.
 */
export function watchAbort(ctx: CallContext, reader: ReadableStreamDefaultReader<Uint8Array>, end: (reason: unknown) => void): () => void {
  const signal = ctx.signal;
  if (signal === null) return noop;
  const onAbort = (): void => {
    end(signal.reason);
    void cancelReader(reader, signal.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function noop(): void {}

/**
 * Cancels an upstream reader and then releases its lock, so whoever owns the body (a `fetch` the user
 * wrapped) sees it unlocked and cancelled, as it would without Sluice. Never rejects.
 * @param reader The upstream reader.
 * @param reason Why, passed to the body's source.
 */
export function cancelReader(reader: ReadableStreamDefaultReader<Uint8Array>, reason?: unknown): Promise<void> {
  const release = (): void => {
    try {
      reader.releaseLock();
    } catch {
      // Already released.
    }
  };
  return reader.cancel(reason).then(release, release);
}

/** The provider sent nothing for `idleMs`. */
export class IdleTimeoutError extends Error {
  override name = 'IdleTimeoutError';
  constructor(idleMs: number) {
    super(`the provider sent nothing for ${idleMs} ms (timeouts.idleMs)`);
  }
}

/** The stream went on past `streamTotalMs`. */
export class StreamTotalTimeoutError extends Error {
  override name = 'StreamTotalTimeoutError';
  constructor(streamTotalMs: number) {
    super(`the stream went on for more than ${streamTotalMs} ms (timeouts.streamTotalMs)`);
  }
}

/** The time limits a stream's reads obey (the matching fields of the resolved `timeouts`). */
export interface StreamLimitOptions {
  /** Silence allowed between chunks; `null`: none. */
  idleMs: number | null;
  /** The whole stream, from its headers; `null`: none. */
  streamTotalMs: number | null;
  /** Whether a chunk of SSE comments alone restarts the idle limit. */
  keepAliveResetsIdle: boolean;
}

/**
 * Reads a stream under its time limits. Only time spent waiting on the provider counts toward the idle
 * limit (never time the SDK spends elsewhere), and a chunk of SSE comments alone does not restart it
 * unless configured to, so a provider that only pings is ended too.
 */
export class StreamReads {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #options: StreamLimitOptions;
  readonly #now: () => number;
  readonly #endsAt: number | null;
  /** Idle time left since the last chunk with data. */
  #idleLeft: number;

  /**
   * @param reader The upstream reader.
   * @param options The limits.
   * @param now The call's monotonic clock.
   */
  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, options: StreamLimitOptions, now: () => number) {
    this.#reader = reader;
    this.#options = options;
    this.#now = now;
    this.#endsAt = options.streamTotalMs === null ? null : now() + options.streamTotalMs;
    this.#idleLeft = options.idleMs ?? Infinity;
  }

  /** Reads the next chunk, rejecting with {@link IdleTimeoutError} or {@link StreamTotalTimeoutError} when a limit runs out. */
  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const { idleMs, streamTotalMs } = this.#options;
    if (idleMs === null && streamTotalMs === null) return this.#reader.read();
    const started = this.#now();
    const totalLeft = this.#endsAt === null ? Infinity : this.#endsAt - started;
    const isIdleFirst = this.#idleLeft <= totalLeft;
    const waitMs = Math.max(0, isIdleFirst ? this.#idleLeft : totalLeft);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(isIdleFirst ? new IdleTimeoutError(idleMs!) : new StreamTotalTimeoutError(streamTotalMs!)), waitMs);
      this.#reader.read().then(
        (result) => {
          clearTimeout(timer);
          if (idleMs !== null) {
            const isKeepAlive = !result.done && !this.#options.keepAliveResetsIdle && isCommentsOnly(result.value);
            this.#idleLeft = isKeepAlive ? this.#idleLeft - (this.#now() - started) : idleMs;
          }
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/** Whether a chunk holds only SSE comment lines and blank lines (a keep-alive). */
export function isCommentsOnly(chunk: Uint8Array): boolean {
  if (chunk.length === 0 || chunk[0] !== 0x3a) return false;
  let atLineStart = true;
  for (let index = 0; index < chunk.length; index++) {
    const byte = chunk[index];
    if (byte === 0x0a || byte === 0x0d) {
      atLineStart = true;
      continue;
    }
    if (atLineStart && byte !== 0x3a) return false;
    atLineStart = false;
  }
  return true;
}

const LF = 0x0a;
const CR = 0x0d;

const decoder = /*@__PURE__*/ new TextDecoder();
const encoder = /*@__PURE__*/ new TextEncoder();

/**
 * Wraps an upstream body.
 * @param ctx The call; `firstChunkMs` and `responseBody` are set on it.
 * @param body The upstream body.
 * @param options What to observe and whom to tell.
 * @returns The stream to hand to the SDK.
 */
export function observeStream(ctx: CallContext, body: ReadableStream<Uint8Array>, options: ObserveOptions): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const reads = new StreamReads(reader, options.limits, ctx.now);
  const { mode, onChunk, onEnd } = options;
  // Framed streams go to the SDK as whole events: an event too large to hold then ends the stream
  // before any of it reached the SDK, so the SDK reads a clean error event rather than broken JSON.
  const framer = mode.kind === 'pass' ? null : new SseFramer({ maxEventBytes: options.maxEventBytes });
  const sideDecode = (event: Uint8Array): void => {
    if (mode.kind !== 'decode' || state.error !== null) return;
    const { event: name, data } = parseSseEvent(event);
    if (data === null) return;
    for (const chunk of mode.decoder.push({ event: name, data })) {
      if (state.model === null && chunk.model !== '') state.model = chunk.model;
      if (chunk.usage != null) state.usage = pivotUsage(chunk.usage);
    }
    const error = mode.decoder.error;
    if (error !== null) state.error = error.message;
    state.done = mode.decoder.done;
  };
  const state = newStreamState();
  const captured: Uint8Array[] = [];
  let capturedBytes = 0;
  let index = 0;
  let ended = false;
  /** The last byte delivered and the one before, to tell whether the SDK is mid-event. */
  let tailBytes = 0;
  /** The complete events of the last framed batch (a view, checked only if the SDK stops early). */
  let lastEvents: Uint8Array | null = null;
  let lastEventsEnd = 0;

  // Up to 4 bytes per UTF-16 unit is always enough bytes for `captureBytes` characters; a large
  // event is cut here rather than decoded whole for a record that keeps its start.
  const captureLimit = options.captureBytes * 4;
  const capture = (chunk: Uint8Array): void => {
    if (capturedBytes < options.captureBytes) {
      const kept = capturedBytes + chunk.length > captureLimit ? chunk.subarray(0, captureLimit - capturedBytes) : chunk;
      captured.push(kept);
      capturedBytes += kept.length;
    }
  };
  const end = (outcome: CallOutcome, error: unknown): void => {
    if (ended) return;
    ended = true;
    stopWatching();
    // The SDK stops reading (cancel, abort) when it meets an error event: the stream failed, whoever closed it.
    if (state.error !== null) outcome = 'errored';
    if (captured.length > 0) {
      let text = '';
      for (const chunk of captured) text += decoder.decode(chunk, { stream: true });
      text += decoder.decode();
      ctx.responseBody = text.length > options.captureBytes ? text.slice(0, options.captureBytes) : text;
    }
    onEnd(outcome, state, error);
  };
  const tail = new TailBytes();
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): void => {
    if (mode.kind === 'pass') tail.push(chunk);
    if (options.errorEvent !== null && chunk.length > 0) {
      tailBytes = ((chunk.length > 1 ? chunk[chunk.length - 2]! : tailBytes & 0xff) << 8) | chunk[chunk.length - 1]!;
    }
    controller.enqueue(chunk);
    if (options.captureBytes > 0) capture(chunk);
    if (onChunk !== null) onChunk(chunk, index);
    index++;
  };
  const hideUsage = mode.kind === 'chat' && mode.hideUsage;
  /** Reads one complete event into `state`; returns what to deliver in its place (`null`: nothing). */
  const inspect = (event: Uint8Array): Uint8Array | null => {
    if (isMalformed(event)) state.error ??= 'the provider sent a malformed stream event';
    if (mode.kind !== 'responses') return inspectChatEvent(event, state, hideUsage);
    inspectResponsesEvent(event, state);
    return event;
  };
  // Frames complete events, inspects them and delivers what the inspector keeps; returns whether
  // anything was delivered. Without changes to make, the chunk goes through as it came.
  const frame = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): boolean => {
    const { buffer, ends } = framer!.push(chunk);
    if (ends.length === 0) return false;
    lastEvents = buffer;
    lastEventsEnd = ends[ends.length - 1]!;
    if (!hideUsage) {
      let start = 0;
      for (const stop of ends) {
        const event = buffer.subarray(start, stop);
        if (mode.kind === 'decode') sideDecode(event);
        else inspect(event);
        start = stop;
      }
      deliver(controller, start === buffer.length ? buffer : buffer.subarray(0, start));
      return true;
    }
    // One copy per chunk: kept events and the pieces around each removed `"usage":null` are gathered
    // as views, then joined once.
    const parts: Uint8Array[] = [];
    let start = 0;
    let changed = false;
    for (const stop of ends) {
      const event = buffer.subarray(start, stop);
      if (isMalformed(event)) state.error ??= 'the provider sent a malformed stream event';
      const at = usageNullOffset(event);
      if (at !== -1) {
        state.sawUsageNull = true;
        if (state.model === null) readModel(event, state);
        parts.push(event.subarray(0, at), event.subarray(at + USAGE_NULL_MEMBER_LENGTH));
        changed = true;
      } else {
        const kept = inspectChatEvent(event, state, true);
        if (kept !== event) changed = true;
        if (kept !== null) parts.push(kept);
      }
      start = stop;
    }
    if (!changed) {
      deliver(controller, buffer.subarray(0, start));
      return true;
    }
    if (parts.length === 0) return false;
    deliver(controller, concat(parts));
    return true;
  };

  // An error event ends the call as it passes: some SDKs (@google/genai) throw on it and stop reading
  // without cancelling the body, and the call must not wait for an end that never comes.
  const endAtErrorEvent = (): void => {
    if (state.error !== null && !ended) end('errored', new Error(state.error));
  };
  const isPassChat = mode.kind === 'pass' && ctx.dialect === 'openai' && ctx.operation === 'chat';
  // A stream is complete once its dialect's terminal event has gone to the SDK: a cancel or an abort
  // after it (openai@7 stops reading after `[DONE]`) ends a completed call, not a cancelled one. An
  // SDK that stops on an event it cannot parse stops in the last batch it read: that is an error.
  const stopped = (): CallOutcome => {
    if (isPassChat) state.done = tail.endsWithDone();
    if (state.error === null && lastEvents !== null && hasUnparsableEvent(lastEvents.subarray(0, lastEventsEnd))) {
      state.error = 'the provider sent a malformed stream event';
    }
    if (state.error !== null) return 'errored';
    return state.done ? 'completed' : 'cancelled';
  };
  const stopWatching = watchAbort(ctx, reader, (reason) => end(stopped(), reason));

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await reads.read();
            if (done) {
              const rest = framer?.flush() ?? null;
              if (rest !== null && rest.length > 0) {
                // At the end of the stream a trailing CR or LF ends its line (`data: [DONE]\r\r` is held
                // back only because a LF might have followed): such a last event is complete. An
                // unterminated one goes to the SDK as the provider sent it.
                const last = rest[rest.length - 1];
                let kept: Uint8Array | null = rest;
                if (mode.kind === 'decode') sideDecode(rest);
                else if (last === LF || last === CR) kept = inspect(rest);
                if (kept !== null) deliver(controller, kept);
              }
              controller.close();
              // Unframed Chat Completions streams are checked by their last bytes: `data: [DONE]`.
              if (isPassChat) state.done = tail.endsWithDone();
              const isChecked = framer !== null || isPassChat;
              if (state.error === null && isChecked && !state.done) {
                // Never call a truncated stream complete: the provider did not send its terminator.
                end('errored', new Error('the upstream stream ended before its terminator'));
              } else {
                end(state.error === null ? 'completed' : 'errored', null);
              }
              return;
            }
            ctx.firstChunkMs ??= ctx.now();
            if (framer === null) {
              deliver(controller, value);
              return;
            }
            const isDelivered = frame(controller, value);
            endAtErrorEvent();
            if (isDelivered) return;
          }
        } catch (error) {
          if (ctx.signal?.aborted === true || options.errorEvent === null) {
            controller.error(error);
            end(ctx.signal?.aborted === true ? stopped() : 'errored', error);
            return;
          }
          // After the headers: end with the dialect's error event, which the SDK's reader raises in its own terms.
          const message = error instanceof Error ? error.message : String(error);
          state.error = message;
          const isMidEvent = index > 0 && !(tailBytes === ((LF << 8) | LF) || tailBytes === 0x0d0a);
          controller.enqueue(encoder.encode(options.errorEvent(message, isMidEvent)));
          controller.close();
          void cancelReader(reader, error);
          end('errored', error);
        }
      },
      cancel(reason) {
        end(stopped(), reason);
        return cancelReader(reader, reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The last bytes of a stream (a fixed 16-byte window), to check its terminator without framing it. */
class TailBytes {
  readonly #bytes = new Uint8Array(16);
  #length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length >= 16) {
      this.#bytes.set(chunk.subarray(chunk.length - 16));
      this.#length = 16;
      return;
    }
    const keep = Math.min(this.#length, 16 - chunk.length);
    this.#bytes.copyWithin(0, this.#length - keep, this.#length);
    this.#bytes.set(chunk, keep);
    this.#length = keep + chunk.length;
  }

  /** Whether the stream ended with `[DONE]` followed only by line breaks. */
  endsWithDone(): boolean {
    return payloadEndsWithAscii(this.#bytes.subarray(0, this.#length), '[DONE]');
  }
}

const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * A byte-level sanity check, not a parse: an event with fields whose payload does not end in `}` (or
 * `]` for `[DONE]`) was cut or corrupted. The SDK's own parser raises on it; this lets the record
 * say "errored" rather than "cancelled" when the SDK then stops reading.
 */
function isMalformed(event: Uint8Array): boolean {
  if (event.length === 0 || event[0] === COLON || event[0] === LF || event[0] === 0x0d) return false;
  const end = payloadEnd(event);
  const last = event[end - 1];
  return end > 0 && last !== CLOSE_BRACE && last !== CLOSE_BRACKET;
}

/** Whether any event in a run of complete SSE events carries data that is neither JSON nor `[DONE]`. */
function hasUnparsableEvent(events: Uint8Array): boolean {
  const { buffer, ends } = new SseFramer().push(events);
  let start = 0;
  for (const stop of ends) {
    const { data } = parseSseEvent(buffer.subarray(start, stop));
    start = stop;
    if (data === null || data === '[DONE]') continue;
    try {
      JSON.parse(data);
    } catch {
      return true;
    }
  }
  return false;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
