/**
 * Chat Completions as a codec: the pivot itself, so reading and writing are checks and shallow copies.
 * Used when an OpenAI-dialect SDK reaches a provider of another format (client side), and when an
 * Anthropic or Gemini SDK reaches an OpenAI-compatible provider (provider side).
 * @module
 */
import type { ChatChunk, ChatRequest, ChatResponse } from '../chat/types.js';
import type {
  ClientCodec,
  EncoderOptions,
  ProviderCodec,
  ProviderError,
  ProviderErrorKind,
  StreamDecoder,
  StreamEncoder,
  StreamFrame,
  Translated,
} from '../codec.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail<T>(status: number, message: string, param?: string): Translated<T> {
  return { ok: false, error: param === undefined ? { status, message } : { status, message, param } };
}

/** Checks the parts of a Chat Completions request that translation relies on. */
function readChatRequest(body: unknown): Translated<ChatRequest> {
  if (!isObject(body)) return fail(400, 'the request body must be a JSON object');
  if (!Array.isArray(body['messages'])) return fail(400, "'messages' must be an array", 'messages');
  for (const [index, message] of (body['messages'] as unknown[]).entries()) {
    if (!isObject(message) || typeof message['role'] !== 'string') return fail(400, `messages[${index}] must be an object with a 'role'`, `messages[${index}]`);
  }
  if (body['tools'] !== undefined) {
    if (!Array.isArray(body['tools'])) return fail(400, "'tools' must be an array", 'tools');
    for (const [index, tool] of (body['tools'] as unknown[]).entries()) {
      const fn = isObject(tool) ? tool['function'] : undefined;
      if (!isObject(fn) || typeof fn['name'] !== 'string') return fail(400, `tools[${index}] must be { type: 'function', function: { name, parameters } }`, `tools[${index}]`);
      const parameters = fn['parameters'];
      if (parameters !== undefined && (!isObject(parameters) || (parameters['type'] !== undefined && parameters['type'] !== 'object'))) {
        return fail(400, `tools[${index}].function.parameters must be a JSON Schema object with type 'object'`, `tools[${index}].function.parameters`);
      }
    }
  }
  return { ok: true, value: { ...(body as ChatRequest) } };
}

function encodeEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** Encodes pivot chunks as a Chat Completions stream, showing the caller's id, model and created time. */
function createChatEncoder(options: EncoderOptions): StreamEncoder {
  return {
    push(chunk: ChatChunk): string {
      if (chunk.choices.length === 0 && !options.includeUsage) return '';
      // Chunks come fresh from a decoder and are not kept: fill them in place rather than copy them.
      chunk.id = options.id;
      chunk.created = options.created;
      if (chunk.model === '') chunk.model = options.model;
      if (options.includeUsage && chunk.usage === undefined) chunk.usage = null;
      return encodeEvent(chunk);
    },
    end: () => 'data: [DONE]\n\n',
    error: (error: ProviderError) => encodeEvent({ error: { message: error.message, type: openaiType(error.kind), param: null, code: error.code } }),
  };
}

function openaiType(kind: ProviderErrorKind): string {
  switch (kind) {
    case 'rate_limit':
      return 'rate_limit_error';
    case 'authentication':
      return 'authentication_error';
    case 'permission':
      return 'permission_error';
    case 'invalid_request':
    case 'not_found':
    case 'request_too_large':
    case 'context_length':
    case 'content_policy':
      return 'invalid_request_error';
    default:
      return 'server_error';
  }
}

/** Decodes a Chat Completions stream into pivot chunks (they already are). */
function createChatDecoder(): StreamDecoder {
  let done = false;
  let error: ProviderError | null = null;
  return {
    get done() {
      return done;
    },
    get error() {
      return error;
    },
    push(frame: StreamFrame): ChatChunk[] {
      if (done || error !== null) return [];
      const data = frame.data;
      if (data === '[DONE]') {
        done = true;
        return [];
      }
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        error = { kind: 'server', status: 502, message: `malformed stream event: ${data.slice(0, 80)}`, code: null };
        return [];
      }
      if (isObject(value) && value['error'] !== undefined) {
        error = readChatError(500, value);
        return [];
      }
      if (!isObject(value) || !Array.isArray(value['choices'])) return [];
      return [value as unknown as ChatChunk];
    },
  };
}

const STATUS_KINDS: Readonly<Record<number, ProviderErrorKind>> = {
  400: 'invalid_request',
  401: 'authentication',
  403: 'permission',
  404: 'not_found',
  408: 'timeout',
  413: 'request_too_large',
  422: 'invalid_request',
  429: 'rate_limit',
  503: 'overloaded',
  504: 'timeout',
  529: 'overloaded',
};

function readChatError(status: number, body: unknown): ProviderError {
  const error = isObject(body) && isObject(body['error']) ? body['error'] : null;
  const message = typeof error?.['message'] === 'string' ? error['message'] : typeof body === 'string' && body !== '' ? body.slice(0, 500) : `HTTP ${status}`;
  const code = typeof error?.['code'] === 'string' ? error['code'] : typeof error?.['type'] === 'string' ? error['type'] : null;
  let kind: ProviderErrorKind = STATUS_KINDS[status] ?? (status >= 500 ? 'server' : 'invalid_request');
  if (code === 'context_length_exceeded' || /context length|maximum context|too many tokens/i.test(message)) kind = 'context_length';
  else if (code === 'content_filter' || code === 'content_policy_violation') kind = 'content_policy';
  return { kind, status, message, code };
}

/** The OpenAI Chat Completions client codec: what an OpenAI-dialect SDK sends and expects back. */
export const openaiClient: ClientCodec = {
  format: 'openai',
  readRequest: (body) => readChatRequest(body),
  writeResponse: (response: ChatResponse, model: string) => ({ ...response, model: response.model === '' ? model : response.model }),
  createEncoder: createChatEncoder,
};

/** The OpenAI Chat Completions provider codec: every OpenAI-compatible server. */
export const openaiProvider: ProviderCodec = {
  format: 'openai',
  framing: 'sse',
  writeRequest(request: ChatRequest, options) {
    const out: ChatRequest = { ...request, model: options.model };
    if (out.stream === true) out.stream_options = { ...out.stream_options, include_usage: true };
    return { ok: true, value: out };
  },
  readResponse(body) {
    if (!isObject(body) || !Array.isArray(body['choices'])) return fail(502, "the answer has no 'choices' array");
    return { ok: true, value: body as unknown as ChatResponse };
  },
  createDecoder: createChatDecoder,
  readError: readChatError,
};
