/**
 * The pivot of every translation: OpenAI Chat Completions shapes. A request from any SDK dialect is
 * read into a {@link ChatRequest}, and a provider's answer into a {@link ChatResponse} or a sequence
 * of {@link ChatChunk}s, before being written out in the other dialect. Partial on purpose: unknown
 * fields are allowed and survive where both sides can carry them.
 * @module
 */

/** A text content part. */
export interface ChatTextPart {
  type: 'text';
  text: string;
}

/** An image content part: `url` is an `https:` URL or a `data:<mime>;base64,<data>` URL. */
export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** Any user content part the pivot models; other part types are carried as they came. */
export type ChatContentPart = ChatTextPart | ChatImagePart | { type: string; [key: string]: unknown };

/** One function call the assistant made; `arguments` is a JSON string. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message in the conversation. */
export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | ChatTextPart[]; name?: string }
  | { role: 'user'; content: string | ChatContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string | ChatTextPart[] | null;
      tool_calls?: ChatToolCall[];
      /** Visible reasoning (DeepSeek, vLLM and OpenRouter spell it so); Anthropic thinking maps here. */
      reasoning_content?: string;
      /** A refusal message, when the model refused. */
      refusal?: string | null;
      name?: string;
    }
  | { role: 'tool'; tool_call_id: string; content: string | ChatTextPart[] };

/** A function tool the model may call. `parameters` is a JSON Schema object. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/** Which tool the model must call, if any. */
export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** The output format the caller asked for. */
export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean } };

/** A Chat Completions request. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  /** Non-standard (Anthropic, Gemini, vLLM): sample from the top K tokens. */
  top_k?: number;
  stop?: string | string[];
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  n?: number;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ChatResponseFormat;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high' | (string & {});
  user?: string;
  [key: string]: unknown;
}

/** Token usage as Chat Completions reports it, with the cache-write count some providers add. */
export interface ChatUsage {
  /** Every input token, cache reads and writes included. */
  prompt_tokens: number;
  /** Every output token, reasoning included. */
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; cache_write_1h_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** Why generation stopped, as Chat Completions spells it. */
export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** A non-streaming Chat Completions answer. */
export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      tool_calls?: ChatToolCall[];
      reasoning_content?: string;
      refusal?: string | null;
    };
    finish_reason: ChatFinishReason | null;
    logprobs?: null;
  }>;
  usage?: ChatUsage;
  [key: string]: unknown;
}

/** A streamed tool-call fragment: the first carries `id` and `name`, later ones argument pieces. */
export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** One streamed Chat Completions chunk. The usage chunk has `choices: []`. */
export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: ChatToolCallDelta[]; reasoning_content?: string; refusal?: string | null };
    finish_reason: ChatFinishReason | null;
    logprobs?: null;
  }>;
  usage?: ChatUsage | null;
}
