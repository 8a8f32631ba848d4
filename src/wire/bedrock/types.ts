/**
 * Bedrock Runtime Converse / ConverseStream wire shapes, as the botocore `bedrock-runtime` service
 * model defines them (providers.md §5). Partial on purpose: only what Sluice reads or writes is typed,
 * and what the provider may omit is optional.
 * @module
 */

/** Image formats Converse accepts (the MIME subtype; `jpg` is spelt `jpeg`). */
export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** A text block. */
export interface BedrockTextBlock {
  text: string;
}

/** An inline image; `bytes` is base64 in JSON. */
export interface BedrockImageBlock {
  image: { format: BedrockImageFormat; source: { bytes: string } };
}

/** A tool call the assistant made; `input` is the arguments object. */
export interface BedrockToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

/** One part of a tool result. */
export type BedrockToolResultContent = { text: string } | { json: unknown };

/** The result of a tool call, sent in a user turn. */
export interface BedrockToolResultBlock {
  toolResult: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'success' | 'error' };
}

/** Visible reasoning (Claude thinking), or its redacted form. */
export interface BedrockReasoningBlock {
  reasoningContent: { reasoningText?: { text: string; signature?: string }; redactedContent?: string };
}

/** A content block: exactly one key is set. Other kinds (document, video, cachePoint...) are read as unknown. */
export type BedrockContentBlock =
  | BedrockTextBlock
  | BedrockImageBlock
  | BedrockToolUseBlock
  | BedrockToolResultBlock
  | BedrockReasoningBlock;

/** One turn. Roles must alternate, starting with `user`. */
export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

/** Sampling settings. */
export interface BedrockInferenceConfig {
  maxTokens?: number;
  /** 0 to 1. */
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** A tool the model may call. */
export interface BedrockTool {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

/** Which tool the model must call; Converse has no "none". */
export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

/** Structured output: the JSON schema travels as a string. */
export interface BedrockOutputConfig {
  textFormat: {
    type: 'json_schema';
    structure: { jsonSchema: { schema: string; name?: string; description?: string } };
  };
}

/** A Converse (or ConverseStream) request body; the model id is in the URL. */
export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockTextBlock[];
  inferenceConfig?: BedrockInferenceConfig;
  toolConfig?: { tools: BedrockTool[]; toolChoice?: BedrockToolChoice };
  /** Free JSON for the model itself (`top_k`, Claude's `thinking`). */
  additionalModelRequestFields?: Record<string, unknown>;
  outputConfig?: BedrockOutputConfig;
  /** String key/value pairs for invocation logs. */
  requestMetadata?: Record<string, string>;
}

/** Why the model stopped. */
export type BedrockStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

/** Token counts; `inputTokens` excludes cache reads and writes. */
export interface BedrockUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  /** The cache writes split by duration. */
  cacheDetails?: { ttl: '5m' | '1h'; inputTokens: number }[];
}

/** A Converse answer. */
export interface BedrockConverseResponse {
  output: { message: { role: 'assistant'; content: unknown[] } };
  stopReason: BedrockStopReason | (string & {});
  usage?: BedrockUsage;
  metrics?: { latencyMs?: number };
  additionalModelResponseFields?: unknown;
}

/** ConverseStream event payloads, keyed by `:event-type`. Each may also carry a `p` padding string. */
export interface BedrockStreamEvents {
  messageStart: { role: 'assistant' };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: {
    contentBlockIndex: number;
    delta: {
      text?: string;
      toolUse?: { input: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
    };
  };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: BedrockStopReason | (string & {}); additionalModelResponseFields?: unknown };
  metadata: { usage?: BedrockUsage; metrics?: { latencyMs?: number } };
}

/** An error body: `message` (some services spell it `Message`), sometimes a `__type`. */
export interface BedrockErrorBody {
  message?: string;
  Message?: string;
  __type?: string;
  /** `ModelStreamErrorException` / `ModelErrorException`: the model's own status and message. */
  originalStatusCode?: number;
  originalMessage?: string;
}
