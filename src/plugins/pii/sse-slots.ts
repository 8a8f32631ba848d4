/**
 * Where streamed text sits in one SSE event of each dialect: OpenAI chat `delta.content`, `refusal`
 * and tool-call `arguments`; Responses API `*.delta` events; Anthropic `text_delta` and
 * `input_json_delta`; Gemini `candidates[].content.parts[].text`. The stream restorer uses it to
 * join a placeholder split across two deltas of the same text.
 * @module
 */

type Json = Record<string, unknown>;

/** One streamed text fragment inside a parsed event. */
export interface TextSlot {
  /** The object holding the fragment. */
  readonly owner: Json;
  /** The key of the fragment in `owner`. */
  readonly key: string;
  /**
   * Which text the fragment continues, as `group/part`: the group is the choice, candidate, output
   * item or content block; fragments of one channel concatenate into one text.
   */
  readonly channel: string;
  /** Whether the text is JSON (tool-call arguments), so a restored value must be JSON-escaped. */
  readonly isJsonText: boolean;
  /** Whether this event ends the channel (a finish reason), so nothing may be held back. */
  readonly isFinal: boolean;
}

/** How one event relates to the texts being streamed. */
export interface EventView {
  /**
   * `delta`: carries text fragments; `transparent`: carries none and ends none (keep-alives, other
   * kinds of deltas), so it may pass a held event; `other`: anything that may end a text.
   */
  readonly kind: 'delta' | 'transparent' | 'other';
  readonly slots: readonly TextSlot[];
}

const NO_SLOTS: readonly TextSlot[] = Object.freeze([]);
const OTHER: EventView = Object.freeze({ kind: 'other', slots: NO_SLOTS });
const TRANSPARENT: EventView = Object.freeze({ kind: 'transparent', slots: NO_SLOTS });

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The group of a channel (the part before `/`).
 * @param channel A slot's channel.
 */
export function groupOf(channel: string): string {
  return channel.slice(0, channel.indexOf('/'));
}

function slot(owner: Json, key: string, channel: string, isJsonText: boolean, isFinal: boolean): TextSlot {
  return { owner, key, channel, isJsonText, isFinal };
}

function openaiChat(choices: readonly unknown[]): EventView {
  const slots: TextSlot[] = [];
  let finishing = false;
  choices.forEach((choice, position) => {
    if (!isObject(choice)) return;
    const index = typeof choice['index'] === 'number' ? choice['index'] : position;
    const isFinal = choice['finish_reason'] !== null && choice['finish_reason'] !== undefined;
    if (isFinal) finishing = true;
    const delta = choice['delta'];
    if (!isObject(delta)) return;
    if (typeof delta['content'] === 'string') slots.push(slot(delta, 'content', `${index}/content`, false, isFinal));
    if (typeof delta['refusal'] === 'string') slots.push(slot(delta, 'refusal', `${index}/refusal`, false, isFinal));
    const calls = delta['tool_calls'];
    if (!Array.isArray(calls)) return;
    calls.forEach((call: unknown, callPosition) => {
      if (!isObject(call) || !isObject(call['function']) || typeof call['function']['arguments'] !== 'string') return;
      const callIndex = typeof call['index'] === 'number' ? call['index'] : callPosition;
      slots.push(slot(call['function'], 'arguments', `${index}/tool.${callIndex}`, true, isFinal));
    });
  });
  if (slots.length > 0) return { kind: 'delta', slots };
  // A role-only first chunk ends nothing; a finish chunk or the usage chunk (no choices) does.
  return finishing || choices.length === 0 ? OTHER : TRANSPARENT;
}

function gemini(candidates: readonly unknown[]): EventView {
  const slots: TextSlot[] = [];
  candidates.forEach((candidate, position) => {
    if (!isObject(candidate)) return;
    const index = typeof candidate['index'] === 'number' ? candidate['index'] : position;
    const isFinal = typeof candidate['finishReason'] === 'string';
    const content = candidate['content'];
    if (!isObject(content) || !Array.isArray(content['parts'])) return;
    for (const part of content['parts'] as unknown[]) {
      if (isObject(part) && typeof part['text'] === 'string') {
        slots.push(slot(part, 'text', `${index}/${part['thought'] === true ? 'thought' : 'text'}`, false, isFinal));
      }
    }
  });
  // A chunk without text (a function call, usage only) keeps its place after the text before it.
  return slots.length > 0 ? { kind: 'delta', slots } : OTHER;
}

function responses(event: Json, type: string): EventView {
  const delta = event['delta'];
  const group = String(event['output_index']);
  const part = String(event['content_index']);
  if (typeof delta === 'string') {
    switch (type) {
      case 'response.output_text.delta':
        return { kind: 'delta', slots: [slot(event, 'delta', `${group}/text.${part}`, false, false)] };
      case 'response.refusal.delta':
        return { kind: 'delta', slots: [slot(event, 'delta', `${group}/refusal.${part}`, false, false)] };
      case 'response.function_call_arguments.delta':
        return { kind: 'delta', slots: [slot(event, 'delta', `${group}/arguments`, true, false)] };
      case 'response.custom_tool_call_input.delta':
        return { kind: 'delta', slots: [slot(event, 'delta', `${group}/input`, false, false)] };
    }
  }
  // Reasoning summaries, audio and other deltas interleave freely; `*.done` events end a text.
  return type.endsWith('.delta') ? TRANSPARENT : OTHER;
}

function anthropic(event: Json, type: string): EventView {
  if (type === 'ping') return TRANSPARENT;
  if (type !== 'content_block_delta') return OTHER;
  const delta = event['delta'];
  const channel = `${String(event['index'])}/block`;
  if (isObject(delta)) {
    if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') return { kind: 'delta', slots: [slot(delta, 'text', channel, false, false)] };
    if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string') {
      return { kind: 'delta', slots: [slot(delta, 'partial_json', channel, true, false)] };
    }
  }
  // Thinking, signature and citation deltas carry no text the SDK shows as the answer.
  return TRANSPARENT;
}

/**
 * Finds the streamed text fragments of one parsed SSE event, whatever the dialect.
 * @param event The event's `data` JSON.
 * @returns The fragments and how the event relates to the texts being streamed.
 */
export function viewEvent(event: Json): EventView {
  const choices = event['choices'];
  if (Array.isArray(choices)) return openaiChat(choices);
  const candidates = event['candidates'];
  if (Array.isArray(candidates)) return gemini(candidates);
  const type = event['type'];
  if (typeof type !== 'string') return OTHER;
  return type.startsWith('response.') ? responses(event, type) : anthropic(event, type);
}
