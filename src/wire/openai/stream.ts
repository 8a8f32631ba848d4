/**
 * Per-event inspection of OpenAI-format streams (Chat Completions and Responses). Pure: each call
 * looks at one complete SSE event and says whether to keep, drop or replace it.
 * @module
 */
import type { TokenUsage } from '../price.js';
import { parseSseEvent, payloadEnd, startsWithAscii } from '../sse.js';
import { chatUsage, responsesUsage } from './usage.js';

/** What has been learnt from a stream so far. */
export interface StreamState {
  usage: TokenUsage | null;
  model: string | null;
  /** An error event's message, when the stream carried one. */
  error: string | null;
  /** Whether the stream reached its terminator (`[DONE]`, or a terminal Responses event). */
  done: boolean;
}

/** Creates an empty {@link StreamState}. */
export function newStreamState(): StreamState {
  return { usage: null, model: null, error: null, done: false };
}

const USAGE_NULL = ',"usage":null}';
/** Bytes of the `,"usage":null` member (without the object's closing brace). */
export const USAGE_NULL_MEMBER_LENGTH = USAGE_NULL.length - 1;

/**
 * Where the `,"usage":null` member that `include_usage` adds to an ordinary chunk starts, when the
 * chunk's JSON ends with it (the usual case); -1 otherwise. No decoding.
 * @param event One complete SSE event.
 */
export function usageNullOffset(event: Uint8Array): number {
  const end = payloadEnd(event);
  const at = end - USAGE_NULL.length;
  return at >= 0 && startsWithAscii(event, USAGE_NULL, at) ? at : -1;
}
const encoder = /*@__PURE__*/ new TextEncoder();

function stringField(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found : null;
}

function errorMessage(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const error = (value as Record<string, unknown>)['error'];
  if (typeof error !== 'object' || error === null) return null;
  return stringField(error, 'message') ?? 'stream error';
}

/**
 * Inspects one Chat Completions stream event.
 * @param event One complete SSE event (bytes, including its blank line).
 * @param state Updated with usage, model, errors and the terminator.
 * @param hideUsage `true` when Sluice added `include_usage` for itself: the usage-only chunk is dropped
 *   and the `"usage":null` member every other chunk then carries is removed, so the SDK sees exactly
 *   what the provider sends without the option.
 * @returns `event` itself to keep it, `null` to drop it, or replacement bytes.
 */
export function inspectChatEvent(event: Uint8Array, state: StreamState, hideUsage: boolean): Uint8Array | null {
  // Fast path: with include_usage every ordinary chunk ends with "usage":null; nothing else to learn.
  const at = usageNullOffset(event);
  if (at !== -1) {
    if (state.model === null) readModel(event, state);
    if (!hideUsage) return event;
    const out = new Uint8Array(event.length - USAGE_NULL_MEMBER_LENGTH);
    out.set(event.subarray(0, at), 0);
    out.set(event.subarray(at + USAGE_NULL_MEMBER_LENGTH), at);
    return out;
  }
  if (startsWithAscii(event, 'data: [DONE]') || startsWithAscii(event, 'data:[DONE]')) {
    state.done = true;
    return event;
  }
  // Chunks without "usage" need no parse unless the model is still unknown or it may be an error.
  const { data } = parseSseEvent(event);
  if (data === null) return event;
  if (state.model !== null && !data.includes('"usage"') && !data.includes('"error"')) return event;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return event;
  }
  state.model ??= stringField(json, 'model');
  const message = errorMessage(json);
  if (message !== null) state.error = message;
  const usage = chatUsage((json as Record<string, unknown> | null)?.['usage']);
  if (usage !== null) {
    state.usage = usage;
    const choices = (json as Record<string, unknown>)['choices'];
    if (hideUsage && Array.isArray(choices) && choices.length === 0) return null;
    if (hideUsage) {
      // A provider that puts usage on a content chunk: keep the chunk, remove the member we asked for.
      const { usage: _removed, ...rest } = json as Record<string, unknown>;
      return encoder.encode(`data: ${JSON.stringify(rest)}\n\n`);
    }
  } else if (hideUsage && (json as Record<string, unknown> | null)?.['usage'] === null) {
    const { usage: _removed, ...rest } = json as Record<string, unknown>;
    return encoder.encode(`data: ${JSON.stringify(rest)}\n\n`);
  }
  return event;
}

/**
 * Reads the chunk's `model` into the state (once per stream: callers check `state.model` first).
 * @param event One complete SSE event.
 * @param state The stream's state.
 */
export function readModel(event: Uint8Array, state: StreamState): void {
  const { data } = parseSseEvent(event);
  if (data === null) return;
  try {
    state.model = stringField(JSON.parse(data), 'model');
  } catch {
    // A malformed chunk: the SDK will report it; nothing to learn here.
  }
}

const TERMINAL = ['response.completed', 'response.incomplete', 'response.failed'];

/**
 * Inspects one Responses API stream event; it never changes the stream.
 * @param event One complete SSE event.
 * @param state Updated with usage, model, errors and the terminator.
 */
export function inspectResponsesEvent(event: Uint8Array, state: StreamState): void {
  if (!startsWithAscii(event, 'event: response.') && !startsWithAscii(event, 'event: error')) {
    if (state.model !== null || !startsWithAscii(event, 'event:')) return;
  }
  const isError = startsWithAscii(event, 'event: error');
  const isTerminal = TERMINAL.some((name) => startsWithAscii(event, `event: ${name}`));
  const isCreated = startsWithAscii(event, 'event: response.created');
  if (!isError && !isTerminal && !isCreated) return;
  const { data } = parseSseEvent(event);
  if (data === null) return;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return;
  }
  if (isError) {
    state.error = stringField(json, 'message') ?? 'stream error';
    return;
  }
  const response = (json as Record<string, unknown> | null)?.['response'];
  state.model ??= stringField(response, 'model');
  if (isTerminal) {
    state.done = true;
    state.usage = responsesUsage((response as Record<string, unknown> | null)?.['usage']) ?? state.usage;
    if (startsWithAscii(event, 'event: response.failed')) {
      state.error = errorMessage(response) ?? 'response failed';
    }
  }
}
