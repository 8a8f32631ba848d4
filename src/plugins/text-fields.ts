/**
 * Finds the text a person wrote in a model request, in every dialect's shape, and rebuilds only the
 * branches whose text a visitor changed. Shared by the `pii` and `guard` plugins (it is not a plugin).
 *
 * Visited: OpenAI chat messages (string content, text parts, `tool_calls[].function.arguments`), the
 * Responses API `instructions` and `input` (messages, function calls and their outputs), embeddings
 * `input`; Anthropic `system`, text blocks, plain-text documents, `tool_use.input`, `tool_result.content`;
 * Gemini `systemInstruction`, `contents[].parts[].text`, `functionCall.args`, `functionResponse.response`.
 * Never visited: the model name, ids, images and other binary parts, thinking blocks, and `data:` URLs.
 * @module
 */

/** Who wrote a text: the developer (`system`), the end user, the model, or a tool. */
export type TextRole = 'system' | 'user' | 'assistant' | 'tool';

/**
 * Called with each text leaf and returns the text to keep: the same string when unchanged.
 * @param text The text.
 * @param path Where it sits in the body, e.g. `messages[2].content`.
 * @param role Who wrote it.
 */
export type TextVisitor = (text: string, path: string, role: TextRole) => string;

type Json = Record<string, unknown>;

/** Nested tool inputs deeper than this are left alone: real arguments are shallow, and recursion must be bounded. */
const MAX_DEPTH = 32;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `object` with one key replaced, unless the value is unchanged. */
function withKey(object: Json, key: string, value: unknown): Json {
  if (object[key] === value) return object;
  // A computed key defines an own property even for `__proto__`, unlike assignment.
  return { ...object, [key]: value };
}

/** Maps a list, returning the same list when no item changed. */
function mapList(list: readonly unknown[], map: (item: unknown, index: number) => unknown): readonly unknown[] {
  let out: unknown[] | null = null;
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    const next = map(item, index);
    if (next !== item) {
      out ??= list.slice();
      out[index] = next;
    }
  }
  return out ?? list;
}

class Walker {
  readonly #visit: TextVisitor;
  readonly #roles: ReadonlySet<TextRole> | null;

  constructor(visit: TextVisitor, roles: ReadonlySet<TextRole> | null) {
    this.#visit = visit;
    this.#roles = roles;
  }

  wants(role: TextRole): boolean {
    return this.#roles === null || this.#roles.has(role);
  }

  /** One text leaf. */
  text(value: unknown, path: string, role: TextRole): unknown {
    if (typeof value !== 'string' || value === '' || !this.wants(role)) return value;
    // Inline files are base64, not prose: scanning them is slow and finds nonsense.
    if (value.startsWith('data:')) return value;
    return this.#visit(value, path, role);
  }

  /** Every string inside a JSON value (tool inputs and results). */
  deep(value: unknown, path: string, role: TextRole, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value, path, role);
    if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null || !this.wants(role)) return value;
    if (Array.isArray(value)) return mapList(value, (item, index) => this.deep(item, `${path}[${index}]`, role, depth + 1));
    let out = value as Json;
    for (const key of Object.keys(value)) out = withKey(out, key, this.deep((value as Json)[key], `${path}.${key}`, role, depth + 1));
    return out;
  }

  /** A JSON text such as tool-call arguments: its string values when it parses to an object, else the text. */
  jsonText(value: unknown, path: string, role: TextRole): unknown {
    if (typeof value !== 'string' || value === '' || !this.wants(role)) return value;
    const first = value.charCodeAt(0);
    if (first !== 0x7b && first !== 0x5b && !/^\s*[[{]/.test(value)) return this.text(value, path, role);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return this.text(value, path, role);
    }
    const next = this.deep(parsed, path, role);
    return next === parsed ? value : JSON.stringify(next);
  }

  /** Content that is a string or a list of parts, of which the `text`-like ones are read. */
  content(value: unknown, path: string, role: TextRole): unknown {
    if (typeof value === 'string') return this.text(value, path, role);
    if (!Array.isArray(value)) return value;
    return mapList(value, (part, index) => {
      if (!isObject(part)) return typeof part === 'string' ? this.text(part, `${path}[${index}]`, role) : part;
      const type = part['type'];
      if (type === 'text' || type === 'input_text' || type === 'output_text') {
        return withKey(part, 'text', this.text(part['text'], `${path}[${index}].text`, role));
      }
      return part;
    });
  }
}

/** OpenAI and Responses roles to ours; `developer` is the new name of `system`. */
function roleOf(role: unknown): TextRole {
  switch (role) {
    case 'system':
    case 'developer':
      return 'system';
    case 'assistant':
    case 'model':
      return 'assistant';
    case 'tool':
    case 'function':
      return 'tool';
    default:
      return 'user';
  }
}

function openaiChat(walker: Walker, body: Json): Json {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return body;
  const next = mapList(messages, (message, index) => {
    if (!isObject(message)) return message;
    const path = `messages[${index}]`;
    const role = roleOf(message['role']);
    let out = withKey(message, 'content', walker.content(message['content'], `${path}.content`, role));
    const calls = message['tool_calls'];
    if (Array.isArray(calls) && walker.wants('assistant')) {
      out = withKey(
        out,
        'tool_calls',
        mapList(calls, (call, callIndex) => {
          if (!isObject(call) || !isObject(call['function'])) return call;
          const fn = call['function'];
          const args = walker.jsonText(fn['arguments'], `${path}.tool_calls[${callIndex}].function.arguments`, 'assistant');
          return withKey(call, 'function', withKey(fn, 'arguments', args));
        }),
      );
    }
    const legacy = message['function_call'];
    if (isObject(legacy)) {
      const args = walker.jsonText(legacy['arguments'], `${path}.function_call.arguments`, 'assistant');
      out = withKey(out, 'function_call', withKey(legacy, 'arguments', args));
    }
    return out;
  });
  return withKey(body, 'messages', next);
}

function openaiResponses(walker: Walker, body: Json): Json {
  let out = withKey(body, 'instructions', walker.text(body['instructions'], 'instructions', 'system'));
  const input = body['input'];
  if (typeof input === 'string') return withKey(out, 'input', walker.text(input, 'input', 'user'));
  if (!Array.isArray(input)) return out;
  const next = mapList(input, (item, index) => {
    if (!isObject(item)) return item;
    const path = `input[${index}]`;
    const type = item['type'];
    if (type === 'message' || (type === undefined && 'role' in item)) {
      return withKey(item, 'content', walker.content(item['content'], `${path}.content`, roleOf(item['role'])));
    }
    if (type === 'function_call') return withKey(item, 'arguments', walker.jsonText(item['arguments'], `${path}.arguments`, 'assistant'));
    if (type === 'custom_tool_call') return withKey(item, 'input', walker.text(item['input'], `${path}.input`, 'assistant'));
    if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const output = item['output'];
      const mapped = Array.isArray(output) ? walker.content(output, `${path}.output`, 'tool') : walker.jsonText(output, `${path}.output`, 'tool');
      return withKey(item, 'output', mapped);
    }
    return item;
  });
  out = withKey(out, 'input', next);
  return out;
}

function openaiEmbeddings(walker: Walker, body: Json): Json {
  const input = body['input'];
  if (typeof input === 'string') return withKey(body, 'input', walker.text(input, 'input', 'user'));
  if (!Array.isArray(input)) return body;
  return withKey(body, 'input', mapList(input, (item, index) => walker.text(item, `input[${index}]`, 'user')));
}

function anthropicBlocks(walker: Walker, value: unknown, path: string, role: TextRole): unknown {
  if (typeof value === 'string') return walker.text(value, path, role);
  if (!Array.isArray(value)) return value;
  return mapList(value, (block, index) => {
    if (!isObject(block)) return block;
    const at = `${path}[${index}]`;
    switch (block['type']) {
      case 'text':
        return withKey(block, 'text', walker.text(block['text'], `${at}.text`, role));
      case 'tool_use':
        return withKey(block, 'input', walker.deep(block['input'], `${at}.input`, 'assistant'));
      case 'tool_result':
        return withKey(block, 'content', anthropicBlocks(walker, block['content'], `${at}.content`, 'tool'));
      case 'document': {
        // Plain-text documents carry prose in `source.data`; base64 ones are skipped.
        const source = block['source'];
        if (!isObject(source) || source['type'] !== 'text') return block;
        return withKey(block, 'source', withKey(source, 'data', walker.text(source['data'], `${at}.source.data`, role)));
      }
      default:
        // Thinking blocks are signature-checked by the provider and must go back unchanged.
        return block;
    }
  });
}

function anthropic(walker: Walker, body: Json): Json {
  let out = withKey(body, 'system', anthropicBlocks(walker, body['system'], 'system', 'system'));
  const messages = body['messages'];
  if (!Array.isArray(messages)) return out;
  const next = mapList(messages, (message, index) => {
    if (!isObject(message)) return message;
    return withKey(message, 'content', anthropicBlocks(walker, message['content'], `messages[${index}].content`, roleOf(message['role'])));
  });
  out = withKey(out, 'messages', next);
  return out;
}

function geminiParts(walker: Walker, content: unknown, path: string, role: TextRole): unknown {
  if (!isObject(content) || !Array.isArray(content['parts'])) return content;
  const parts = mapList(content['parts'], (part, index) => {
    if (!isObject(part)) return part;
    const at = `${path}.parts[${index}]`;
    // Thought summaries are the model's, like Anthropic thinking: left as they came.
    if (typeof part['text'] === 'string' && part['thought'] !== true) return withKey(part, 'text', walker.text(part['text'], `${at}.text`, role));
    const call = part['functionCall'];
    if (isObject(call)) return withKey(part, 'functionCall', withKey(call, 'args', walker.deep(call['args'], `${at}.functionCall.args`, 'assistant')));
    const answer = part['functionResponse'];
    if (isObject(answer)) {
      return withKey(part, 'functionResponse', withKey(answer, 'response', walker.deep(answer['response'], `${at}.functionResponse.response`, 'tool')));
    }
    return part;
  });
  return withKey(content, 'parts', parts);
}

function gemini(walker: Walker, body: Json): Json {
  const system = body['systemInstruction'];
  let out =
    typeof system === 'string'
      ? withKey(body, 'systemInstruction', walker.text(system, 'systemInstruction', 'system'))
      : withKey(body, 'systemInstruction', geminiParts(walker, system, 'systemInstruction', 'system'));
  const contents = body['contents'];
  if (!Array.isArray(contents)) return out;
  const next = mapList(contents, (content, index) => {
    if (!isObject(content)) return content;
    return geminiParts(walker, content, `contents[${index}]`, roleOf(content['role']));
  });
  out = withKey(out, 'contents', next);
  return out;
}

/**
 * Visits every text a person or tool wrote in a request body and rebuilds the branches whose text changed.
 * @param dialect The SDK's dialect (`openai`, `anthropic`, `gemini`).
 * @param operation The operation within it (`chat`, `responses`, `embeddings`...).
 * @param body The parsed request body; never mutated.
 * @param visit Returns each text to keep (the same string when unchanged).
 * @param roles Visit only texts of these roles. @default every role
 * @returns `body` itself when nothing changed, otherwise a new body sharing every unchanged branch.
 * @example
 * const redacted = mapTextFields('openai', 'chat', body, (text) => text.replaceAll('secret', '<X>'));
 */
export function mapTextFields(
  dialect: string,
  operation: string,
  body: unknown,
  visit: TextVisitor,
  roles: ReadonlySet<TextRole> | null = null,
): unknown {
  if (!isObject(body)) return body;
  const walker = new Walker(visit, roles);
  if (dialect === 'anthropic') return anthropic(walker, body);
  if (dialect === 'gemini') return gemini(walker, body);
  if (operation === 'responses') return openaiResponses(walker, body);
  if (operation === 'embeddings') return openaiEmbeddings(walker, body);
  return openaiChat(walker, body);
}

/**
 * Calls `visit` with every text of the body, without rebuilding anything.
 * @param dialect The SDK's dialect.
 * @param operation The operation within it.
 * @param body The parsed request body.
 * @param visit Called once per text.
 * @param roles Visit only texts of these roles. @default every role
 */
export function forEachTextField(
  dialect: string,
  operation: string,
  body: unknown,
  visit: (text: string, path: string, role: TextRole) => void,
  roles: ReadonlySet<TextRole> | null = null,
): void {
  mapTextFields(dialect, operation, body, (text, path, role) => {
    visit(text, path, role);
    return text;
  }, roles);
}
