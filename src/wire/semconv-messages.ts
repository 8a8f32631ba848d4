/**
 * Converts request and answer bodies of every SDK dialect to the message shape of the OpenTelemetry
 * GenAI conventions (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`):
 * `{ role, parts: [{ type: 'text', content } | { type: 'tool_call', id, name, arguments } |
 * { type: 'tool_call_response', id, response } | { type }] }`. Text is cut to a budget shared by the
 * whole conversion. Pure: no I/O.
 * @module
 */

/** One part of a message, as the conventions shape it. */
export type SemconvPart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string | null; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string | null; response: unknown }
  | { type: string };

/** One message, as the conventions shape it. */
export interface SemconvMessage {
  role: string;
  parts: SemconvPart[];
  finish_reason?: string;
}

/** A request's messages and system instructions in the conventions' shape. */
export interface SemconvInput {
  system: SemconvPart[];
  messages: SemconvMessage[];
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Cuts text to what is left of a shared budget. */
class Budget {
  #left: number;
  constructor(maxChars: number) {
    this.#left = maxChars;
  }
  text(content: string): SemconvPart {
    const kept = content.length <= this.#left ? content : content.slice(0, Math.max(0, this.#left));
    this.#left -= kept.length;
    return { type: 'text', content: kept };
  }
}

function openAiParts(content: unknown, budget: Budget): SemconvPart[] {
  if (typeof content === 'string') return [budget.text(content)];
  return asArray(content).map((part) => {
    const record = asRecord(part);
    const text = str(record?.['text']);
    if (text !== null) return budget.text(text);
    return { type: str(record?.['type']) ?? 'unknown' };
  });
}

function anthropicParts(content: unknown, budget: Budget): SemconvPart[] {
  if (typeof content === 'string') return [budget.text(content)];
  return asArray(content).map((block): SemconvPart => {
    const record = asRecord(block) ?? {};
    const type = str(record['type']) ?? 'unknown';
    if (type === 'text') return budget.text(str(record['text']) ?? '');
    if (type === 'tool_use') return { type: 'tool_call', id: str(record['id']), name: str(record['name']) ?? '', arguments: record['input'] };
    if (type === 'tool_result') return { type: 'tool_call_response', id: str(record['tool_use_id']), response: record['content'] };
    return { type };
  });
}

function geminiParts(parts: unknown, budget: Budget): SemconvPart[] {
  return asArray(parts).map((part): SemconvPart => {
    const record = asRecord(part) ?? {};
    const text = str(record['text']);
    if (text !== null) return budget.text(text);
    const call = asRecord(record['functionCall']);
    if (call !== null) return { type: 'tool_call', id: str(call['id']), name: str(call['name']) ?? '', arguments: call['args'] };
    const response = asRecord(record['functionResponse']);
    if (response !== null) return { type: 'tool_call_response', id: str(response['id']), response: response['response'] };
    return { type: Object.keys(record)[0] ?? 'unknown' };
  });
}

function openAiChatMessage(message: Json, budget: Budget): SemconvMessage {
  const role = str(message['role']) ?? 'user';
  if (role === 'tool') return { role, parts: [{ type: 'tool_call_response', id: str(message['tool_call_id']), response: message['content'] }] };
  const parts = message['content'] === null || message['content'] === undefined ? [] : openAiParts(message['content'], budget);
  for (const call of asArray(message['tool_calls'])) {
    const record = asRecord(call) ?? {};
    const fn = asRecord(record['function']) ?? {};
    parts.push({ type: 'tool_call', id: str(record['id']), name: str(fn['name']) ?? '', arguments: fn['arguments'] });
  }
  return { role, parts };
}

/**
 * Converts a request body's conversation.
 * @param dialect The SDK's dialect (`openai`, `anthropic`, `gemini`).
 * @param operation `chat`, `responses`... (other operations carry no conversation).
 * @param body The parsed request body.
 * @param maxChars The most characters of text kept across the whole conversion.
 * @returns The system instructions and messages.
 */
export function semconvInput(dialect: string, operation: string, body: unknown, maxChars: number): SemconvInput {
  const budget = new Budget(maxChars);
  const source = asRecord(body) ?? {};
  const system: SemconvPart[] = [];
  const messages: SemconvMessage[] = [];
  if (dialect === 'anthropic') {
    if (source['system'] !== undefined) system.push(...anthropicParts(source['system'], budget));
    for (const message of asArray(source['messages'])) {
      const record = asRecord(message) ?? {};
      messages.push({ role: str(record['role']) ?? 'user', parts: anthropicParts(record['content'], budget) });
    }
  } else if (dialect === 'gemini') {
    system.push(...geminiParts(asRecord(source['systemInstruction'] ?? source['system_instruction'])?.['parts'], budget));
    for (const content of asArray(source['contents'])) {
      const record = asRecord(content) ?? {};
      const role = str(record['role']) === 'model' ? 'assistant' : (str(record['role']) ?? 'user');
      messages.push({ role, parts: geminiParts(record['parts'], budget) });
    }
  } else if (operation === 'responses') {
    if (typeof source['instructions'] === 'string') system.push(budget.text(source['instructions']));
    const input = source['input'];
    if (typeof input === 'string') messages.push({ role: 'user', parts: [budget.text(input)] });
    for (const item of asArray(input)) {
      const record = asRecord(item) ?? {};
      if (record['role'] !== undefined) messages.push({ role: str(record['role']) ?? 'user', parts: openAiParts(record['content'], budget) });
      else if (record['type'] === 'function_call') messages.push({ role: 'assistant', parts: [{ type: 'tool_call', id: str(record['call_id']), name: str(record['name']) ?? '', arguments: record['arguments'] }] });
      else if (record['type'] === 'function_call_output') messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: str(record['call_id']), response: record['output'] }] });
    }
  } else {
    for (const message of asArray(source['messages'])) {
      const record = asRecord(message) ?? {};
      if (record['role'] === 'system' || record['role'] === 'developer') system.push(...openAiParts(record['content'], budget));
      else messages.push(openAiChatMessage(record, budget));
    }
  }
  return { system, messages };
}

/**
 * Converts a JSON answer's output messages.
 * @param dialect The SDK's dialect.
 * @param operation `chat`, `responses`...
 * @param answer The parsed answer body.
 * @param maxChars The most characters of text kept.
 * @returns The output messages (empty when the answer has none this reader knows).
 */
export function semconvOutput(dialect: string, operation: string, answer: unknown, maxChars: number): SemconvMessage[] {
  const budget = new Budget(maxChars);
  const source = asRecord(answer) ?? {};
  if (dialect === 'anthropic') {
    return [{ role: 'assistant', parts: anthropicParts(source['content'], budget), ...finish(source['stop_reason']) }];
  }
  if (dialect === 'gemini') {
    return asArray(source['candidates']).map((candidate) => {
      const record = asRecord(candidate) ?? {};
      return { role: 'assistant', parts: geminiParts(asRecord(record['content'])?.['parts'], budget), ...finish(record['finishReason']) };
    });
  }
  if (operation === 'responses') {
    const parts: SemconvPart[] = [];
    for (const item of asArray(source['output'])) {
      const record = asRecord(item) ?? {};
      if (record['type'] === 'message') parts.push(...openAiParts(record['content'], budget));
      else if (record['type'] === 'function_call') parts.push({ type: 'tool_call', id: str(record['call_id']), name: str(record['name']) ?? '', arguments: record['arguments'] });
    }
    return parts.length === 0 ? [] : [{ role: 'assistant', parts }];
  }
  return asArray(source['choices']).map((choice) => {
    const record = asRecord(choice) ?? {};
    return { ...openAiChatMessage(asRecord(record['message']) ?? {}, budget), ...finish(record['finish_reason']) };
  });
}

function finish(reason: unknown): { finish_reason?: string } {
  return typeof reason === 'string' ? { finish_reason: reason } : {};
}

/**
 * The finish reasons and response id of a JSON answer, in any dialect.
 * @param dialect The SDK's dialect.
 * @param answer The parsed answer body.
 * @returns `id` (or `null`) and the finish reasons in choice order.
 */
export function answerSummary(dialect: string, answer: unknown): { id: string | null; finishReasons: string[] } {
  const source = asRecord(answer) ?? {};
  const reasons: string[] = [];
  if (dialect === 'anthropic') {
    const reason = str(source['stop_reason']);
    if (reason !== null) reasons.push(reason);
    return { id: str(source['id']), finishReasons: reasons };
  }
  if (dialect === 'gemini') {
    for (const candidate of asArray(source['candidates'])) {
      const reason = str(asRecord(candidate)?.['finishReason']);
      if (reason !== null) reasons.push(reason);
    }
    return { id: str(source['responseId']), finishReasons: reasons };
  }
  for (const choice of asArray(source['choices'])) {
    const reason = str(asRecord(choice)?.['finish_reason']);
    if (reason !== null) reasons.push(reason);
  }
  const status = str(source['status']);
  if (reasons.length === 0 && status !== null) reasons.push(status);
  return { id: str(source['id']), finishReasons: reasons };
}

/**
 * Assembles a streamed answer from its SSE text (as the record keeps it), in the SDK's dialect: the
 * text of each choice or candidate and its finish reason. Tool-call deltas are not assembled.
 * @param dialect The SDK's dialect.
 * @param operation `chat` or `responses`.
 * @param sse The stream's text.
 * @param maxChars The most characters of text kept.
 * @returns The output messages (empty when nothing could be read) and the finish reasons.
 */
export function semconvStreamOutput(dialect: string, operation: string, sse: string, maxChars: number): { messages: SemconvMessage[]; finishReasons: string[] } {
  const texts: string[] = [];
  const reasons: (string | undefined)[] = [];
  let completed: unknown;
  const add = (index: number, text: unknown): void => {
    if (typeof text === 'string') texts[index] = (texts[index] ?? '') + text;
  };
  for (const line of sse.split(/\r\n|\r|\n/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(line.charCodeAt(5) === 0x20 ? 6 : 5);
    if (data === '[DONE]') continue;
    let event: Json | null;
    try {
      event = asRecord(JSON.parse(data));
    } catch {
      continue;
    }
    if (event === null) continue;
    if (dialect === 'anthropic') {
      const delta = asRecord(event['delta']);
      if (event['type'] === 'content_block_delta' && delta?.['type'] === 'text_delta') add(0, delta['text']);
      if (event['type'] === 'message_delta' && typeof delta?.['stop_reason'] === 'string') reasons[0] = delta['stop_reason'];
    } else if (dialect === 'gemini') {
      asArray(event['candidates']).forEach((candidate, position) => {
        const record = asRecord(candidate) ?? {};
        const index = typeof record['index'] === 'number' ? record['index'] : position;
        for (const part of asArray(asRecord(record['content'])?.['parts'])) add(index, asRecord(part)?.['text']);
        if (typeof record['finishReason'] === 'string') reasons[index] = record['finishReason'];
      });
    } else if (operation === 'responses') {
      if (event['type'] === 'response.completed' || event['type'] === 'response.incomplete') completed = event['response'];
    } else {
      for (const choice of asArray(event['choices'])) {
        const record = asRecord(choice) ?? {};
        const index = typeof record['index'] === 'number' ? record['index'] : 0;
        add(index, asRecord(record['delta'])?.['content']);
        if (typeof record['finish_reason'] === 'string') reasons[index] = record['finish_reason'];
      }
    }
  }
  if (completed !== undefined) return { messages: semconvOutput(dialect, operation, completed, maxChars), finishReasons: answerSummary(dialect, completed).finishReasons };
  const budget = new Budget(maxChars);
  const count = Math.max(texts.length, reasons.length);
  const messages: SemconvMessage[] = [];
  for (let index = 0; index < count; index++) {
    messages.push({ role: 'assistant', parts: texts[index] === undefined ? [] : [budget.text(texts[index]!)], ...finish(reasons[index]) });
  }
  return { messages, finishReasons: reasons.filter((reason): reason is string => reason !== undefined) };
}
