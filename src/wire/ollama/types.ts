/**
 * Ollama native `POST /api/chat` wire shapes (providers.md §6.2, ollama `docs/api.md`). Partial on
 * purpose: unknown fields are allowed.
 * @module
 */

/** A tool call as Ollama sends it: whole, with `arguments` as an object. */
export interface OllamaToolCall {
  /** Recent Ollama versions send one (`call_...`); older ones do not. */
  id?: string;
  type?: 'function';
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

/** A chat message. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Base64 images, without the `data:` prefix. */
  images?: string[];
  /** The model's reasoning, when `think` was on. */
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  /** On a tool result: the function it answers. */
  tool_name?: string;
  /** On a tool result: the call it answers (newer Ollama; older versions ignore it). */
  tool_call_id?: string;
}

/** Model options Sluice translates (the Modelfile parameters). */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

/** A function the model may call; OpenAI-shaped. */
export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** An `/api/chat` request body. */
export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  tools?: OllamaTool[];
  /** Ollama streams unless told otherwise, so this is always sent. */
  stream: boolean;
  /** `'json'`, or a JSON Schema the answer must follow. */
  format?: 'json' | Record<string, unknown>;
  options?: OllamaOptions;
  /** `true`/`false`, or a level for models that have levels. */
  think?: boolean | 'low' | 'medium' | 'high';
}

/** An `/api/chat` answer, and each NDJSON line of a stream (the last has `done: true` and the counts). */
export interface OllamaChatResponse {
  model?: string;
  created_at?: string;
  message?: Partial<OllamaMessage>;
  done?: boolean;
  /** `stop`, `length`, `load`, `unload`. */
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  /** Durations in nanoseconds. */
  total_duration?: number;
  [key: string]: unknown;
}
