/**
 * The Ollama native chat API (`POST /api/chat`, NDJSON streams) as a provider: requests written from
 * the Chat Completions pivot, answers and streams read back into it (providers.md §6.2). Pure.
 * @module
 */
import type {
  ChatChunk,
  ChatContentPart,
  ChatFinishReason,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatTextPart,
  ChatToolCall,
  ChatUsage,
} from '../chat/types.js';
import type { OutboundOptions, ProviderCodec, ProviderError, ProviderErrorKind, StreamDecoder, StreamFrame, Translated } from '../codec.js';
import type { OllamaChatRequest, OllamaMessage, OllamaOptions, OllamaTool, OllamaToolCall } from './types.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A request Ollama cannot take; caught in {@link ollamaProvider}'s `writeRequest` and returned as a 400. */
class Refusal extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
  }
}

function refuse(param: string, message: string): never {
  throw new Refusal(param, message);
}

/** Text parts are separate paragraphs in the pivot; Ollama takes one string. */
function textOf(content: string | ChatTextPart[] | null): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('\n');
}

function writeUser(content: string | ChatContentPart[], param: string, provider: string): OllamaMessage {
  if (typeof content === 'string') return { role: 'user', content };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part, index) => {
    const partParam = `${param}.content[${index}]`;
    if (part.type === 'text' && typeof part['text'] === 'string') {
      texts.push(part['text']);
    } else if (part.type === 'image_url' && isObject(part['image_url']) && typeof part['image_url']['url'] === 'string') {
      const match = /^data:image\/[^;,]+(?:;[^;,]*)*;base64,(.*)$/s.exec(part['image_url']['url']);
      // Ollama reads only base64 bytes; fetching a URL would be I/O, which translation does not do.
      if (match === null) refuse(`${partParam}.image_url.url`, `Ollama (provider '${provider}') accepts images only as base64 data: URLs`);
      images.push(match[1]!);
    } else {
      refuse(`${partParam}.type`, `'${part.type}' content cannot be translated to Ollama (provider '${provider}')`);
    }
  });
  const message: OllamaMessage = { role: 'user', content: texts.join('\n') };
  if (images.length > 0) message.images = images;
  return message;
}

function writeToolCalls(calls: ChatToolCall[], param: string): OllamaToolCall[] {
  return calls.map((call, index) => {
    let args: unknown;
    try {
      args = JSON.parse(call.function.arguments === '' ? '{}' : call.function.arguments);
    } catch {
      refuse(`${param}.tool_calls[${index}].function.arguments`, 'must be a JSON object');
    }
    if (!isObject(args)) refuse(`${param}.tool_calls[${index}].function.arguments`, 'must be a JSON object');
    return { id: call.id, type: 'function', function: { index, name: call.function.name, arguments: args } };
  });
}

function writeMessages(messages: ChatMessage[], provider: string): OllamaMessage[] {
  const names = new Map<string, string>();
  return messages.map((message, index): OllamaMessage => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(message.content) };
      case 'user':
        return writeUser(message.content, param, provider);
      case 'assistant': {
        const out: OllamaMessage = { role: 'assistant', content: textOf(message.content) };
        // Ollama takes the model's earlier thinking back (its streaming docs send it in the history).
        if (message.reasoning_content !== undefined && message.reasoning_content !== '') out.thinking = message.reasoning_content;
        if (message.tool_calls !== undefined && message.tool_calls.length > 0) {
          out.tool_calls = writeToolCalls(message.tool_calls, param);
          for (const call of message.tool_calls) names.set(call.id, call.function.name);
        }
        return out;
      }
      case 'tool': {
        const out: OllamaMessage = { role: 'tool', content: textOf(message.content), tool_call_id: message.tool_call_id };
        const name = names.get(message.tool_call_id);
        if (name !== undefined) out.tool_name = name;
        return out;
      }
      default:
        refuse(`${param}.role`, `unknown role '${(message as { role: string }).role}'`);
    }
  });
}

function writeRequest(request: ChatRequest, options: OutboundOptions): OllamaChatRequest {
  const { provider } = options;
  if (request.n !== undefined && request.n > 1) refuse('n', `Ollama (provider '${provider}') answers with one choice only`);
  if (request.logprobs === true) refuse('logprobs', `log probabilities cannot be translated to Ollama (provider '${provider}')`);
  const body: OllamaChatRequest = { model: options.model, messages: writeMessages(request.messages, provider), stream: request.stream === true };
  const choice = request.tool_choice;
  // Ollama has no tool_choice: 'none' is honoured by sending no tools; forcing a call cannot be.
  if (choice === 'required' || typeof choice === 'object') refuse('tool_choice', `Ollama (provider '${provider}') cannot be made to call a tool`);
  if (request.tools !== undefined && request.tools.length > 0 && choice !== 'none') {
    body.tools = request.tools.map((tool, index) => {
      if (tool.type !== 'function') refuse(`tools[${index}].type`, `only function tools can be translated to Ollama; got '${String(tool.type)}'`);
      const fn: OllamaTool = { type: 'function', function: { name: tool.function.name } };
      if (tool.function.description !== undefined) fn.function.description = tool.function.description;
      if (tool.function.parameters !== undefined) fn.function.parameters = tool.function.parameters;
      return fn;
    });
  }
  const format = request.response_format;
  if (format?.type === 'json_object') body.format = 'json';
  else if (format?.type === 'json_schema') body.format = format.json_schema.schema ?? 'json';
  const ollamaOptions: OllamaOptions = {};
  if (request.temperature !== undefined) ollamaOptions.temperature = request.temperature;
  if (request.top_p !== undefined) ollamaOptions.top_p = request.top_p;
  if (request.top_k !== undefined) ollamaOptions.top_k = request.top_k;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) ollamaOptions.num_predict = maxTokens;
  if (request.stop !== undefined) ollamaOptions.stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.seed !== undefined) ollamaOptions.seed = request.seed;
  if (request.presence_penalty !== undefined) ollamaOptions.presence_penalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) ollamaOptions.frequency_penalty = request.frequency_penalty;
  if (Object.keys(ollamaOptions).length > 0) body.options = ollamaOptions;
  const effort = request.reasoning_effort;
  if (effort === 'none') body.think = false;
  else if (effort === 'minimal' || effort === 'low') body.think = 'low';
  else if (effort === 'medium') body.think = 'medium';
  else if (effort === 'high' || effort === 'xhigh' || effort === 'max') body.think = 'high';
  else if (effort !== undefined) refuse('reasoning_effort', `unknown effort '${effort}'`);
  return body;
}

/** Reads a whole tool call Ollama sent; `nextId` names the ones that came without an id. */
function readToolCall(value: unknown, nextId: () => string): ChatToolCall | null {
  if (!isObject(value) || !isObject(value['function']) || typeof value['function']['name'] !== 'string') return null;
  const args = value['function']['arguments'];
  // Arguments are an object; a string is what some model templates leave unparsed.
  const argumentsText = typeof args === 'string' ? args : JSON.stringify(isObject(args) ? args : {});
  const id = typeof value['id'] === 'string' && value['id'] !== '' ? value['id'] : nextId();
  return { id, type: 'function', function: { name: value['function']['name'], arguments: argumentsText } };
}

function finishReason(doneReason: unknown, hasToolCalls: boolean): ChatFinishReason {
  if (doneReason === 'length') return 'length';
  // `stop`, `load`, `unload` and unknown reasons: a tool call, when made, is why it stopped.
  return hasToolCalls ? 'tool_calls' : 'stop';
}

function usageOf(body: JsonObject): ChatUsage | undefined {
  const prompt = body['prompt_eval_count'];
  const completion = body['eval_count'];
  if (typeof prompt !== 'number' && typeof completion !== 'number') return undefined;
  const input = typeof prompt === 'number' ? prompt : 0;
  const output = typeof completion === 'number' ? completion : 0;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

function createdOf(body: JsonObject): number {
  const ms = typeof body['created_at'] === 'string' ? Date.parse(body['created_at']) : Number.NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

function readResponse(body: unknown): Translated<ChatResponse> {
  if (!isObject(body)) return { ok: false, error: { status: 502, message: 'Ollama answered with something other than a JSON object' } };
  if (typeof body['error'] === 'string') return { ok: false, error: { status: 502, message: `Ollama answered an error with a success status: ${body['error']}` } };
  const message = isObject(body['message']) ? body['message'] : {};
  let calls = 0;
  const toolCalls = (Array.isArray(message['tool_calls']) ? message['tool_calls'] : [])
    .map((call) => readToolCall(call, () => `call_${calls++}`))
    .filter((call): call is ChatToolCall => call !== null);
  const content = typeof message['content'] === 'string' ? message['content'] : '';
  const out: ChatResponse['choices'][number]['message'] = { role: 'assistant', content: content === '' && toolCalls.length > 0 ? null : content };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  if (typeof message['thinking'] === 'string' && message['thinking'] !== '') out.reasoning_content = message['thinking'];
  const response: ChatResponse = {
    // Ollama gives no id: the client side names the answer.
    id: '',
    object: 'chat.completion',
    created: createdOf(body),
    model: typeof body['model'] === 'string' ? body['model'] : '',
    choices: [{ index: 0, message: out, finish_reason: finishReason(body['done_reason'], toolCalls.length > 0), logprobs: null }],
  };
  const usage = usageOf(body);
  if (usage !== undefined) response.usage = usage;
  return { ok: true, value: response };
}

class OllamaDecoder implements StreamDecoder {
  done = false;
  error: ProviderError | null = null;
  #started = false;
  #model = '';
  #created = 0;
  #toolCalls = 0;

  push(frame: StreamFrame): ChatChunk[] {
    if (this.error !== null || this.done || frame.data.trim() === '') return [];
    let body: unknown;
    try {
      body = JSON.parse(frame.data);
    } catch {
      this.error = { kind: 'server', status: 502, message: 'Ollama sent a stream line that is not JSON', code: null };
      return [];
    }
    if (!isObject(body)) {
      this.error = { kind: 'server', status: 502, message: 'Ollama sent a stream line that is not a JSON object', code: null };
      return [];
    }
    if (typeof body['error'] === 'string') {
      // A mid-stream error line: the status is already 200, so the kind comes from the message alone.
      this.error = { kind: 'server', status: 500, message: body['error'], code: null };
      return [];
    }
    const chunks: ChatChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#model = typeof body['model'] === 'string' ? body['model'] : '';
      this.#created = createdOf(body);
      chunks.push(this.#chunk({ role: 'assistant', content: '' }, null));
    }
    const message = isObject(body['message']) ? body['message'] : {};
    if (typeof message['thinking'] === 'string' && message['thinking'] !== '') chunks.push(this.#chunk({ reasoning_content: message['thinking'] }, null));
    if (typeof message['content'] === 'string' && message['content'] !== '') chunks.push(this.#chunk({ content: message['content'] }, null));
    for (const raw of Array.isArray(message['tool_calls']) ? message['tool_calls'] : []) {
      const call = readToolCall(raw, () => `call_${this.#toolCalls}`);
      if (call === null) continue;
      const index = this.#toolCalls++;
      chunks.push(this.#chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }, null));
    }
    if (body['done'] === true) {
      this.done = true;
      chunks.push(this.#chunk({}, finishReason(body['done_reason'], this.#toolCalls > 0)));
      const usage = usageOf(body);
      if (usage !== undefined) chunks.push({ id: '', object: 'chat.completion.chunk', created: this.#created, model: this.#model, choices: [], usage });
    }
    return chunks;
  }

  #chunk(delta: ChatChunk['choices'][number]['delta'], finish: ChatFinishReason | null): ChatChunk {
    return { id: '', object: 'chat.completion.chunk', created: this.#created, model: this.#model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }
}

function kindOf(status: number, message: string): ProviderErrorKind {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 503) return 'overloaded';
  if (status === 504) return 'timeout';
  if (status >= 400 && status < 500) return /context (?:length|window)|too long/i.test(message) ? 'context_length' : 'invalid_request';
  return 'server';
}

function readError(status: number, body: unknown): ProviderError {
  let message = `HTTP ${status}`;
  if (isObject(body) && typeof body['error'] === 'string') message = body['error'];
  // Plain text is Ollama's own words; an HTML page from a proxy is not passed on.
  else if (typeof body === 'string' && body.trim() !== '' && !/^\s*</.test(body)) message = body.trim().slice(0, 500);
  return { kind: kindOf(status, message), status, message, code: null };
}

/**
 * Ollama's native `/api/chat` as a provider. The caller posts to `{base}/api/chat`; streams are
 * NDJSON, one object per line, the last with `done: true` and the token counts.
 * @example
 * const body = ollamaProvider.writeRequest(request, { model: 'llama3.2', provider: 'ollama', defaultMaxTokens: 4096 });
 */
export const ollamaProvider: ProviderCodec = {
  format: 'ollama',
  framing: 'ndjson',
  writeRequest(request, options) {
    try {
      return { ok: true, value: writeRequest(request, options) };
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, error: { status: 400, message: error.message, param: error.param } };
      throw error;
    }
  },
  readResponse,
  createDecoder: () => new OllamaDecoder(),
  readError,
};
