/**
 * The record: one per modelled call, whatever happened. Exporters serialise it, callbacks receive it.
 * @module
 */
import type { Pricing } from '../wire/price.js';

/**
 * The API dialect a call speaks: which SDK family sent it and which wire format it expects back.
 * `openai`: Chat Completions, Responses, embeddings, models (the OpenAI SDK, Azure, the AI SDK's
 * OpenAI provider...); `anthropic`: Messages; `gemini`: generateContent (Google GenAI, Vertex).
 */
export type Dialect = 'openai' | 'anthropic' | 'gemini';

/** The dialect of a record: a model call's {@link Dialect}, or `mcp` for an MCP request (`sluice/mcp`). */
export type RecordDialect = Dialect | 'mcp';

/**
 * The operation a classified call performs within its dialect. `chat` is Chat Completions, Anthropic
 * Messages and Gemini generateContent alike; `count_tokens` is Anthropic's and Gemini's token counter.
 */
export type Operation = 'chat' | 'responses' | 'embeddings' | 'models' | 'count_tokens';

/**
 * The operation of an MCP request (`sluice/mcp`): `mcp.` and the JSON-RPC method, such as
 * `mcp.tools/call`, `mcp.tools/list`, `mcp.resources/read`, `mcp.prompts/get`, `mcp.initialize`.
 */
export type McpOperation = `mcp.${string}`;

/** The operation of a record: a model call's {@link Operation} or an MCP request's {@link McpOperation}. */
export type RecordOperation = Operation | McpOperation;

/** What a record of an MCP request carries besides the common fields (`record.mcp`). */
export interface McpCallInfo {
  /** The server's name in `mcp({ servers })`. */
  server: string;
  /** The JSON-RPC method (`tools/call`...). */
  method: string;
  /** The tool called (`tools/call`), the prompt got (`prompts/get`) or the resource read (`resources/read`, its URI); `null` otherwise. */
  target: string | null;
  /** The JSON-RPC request id: the tool call's id (`gen_ai.tool.call.id`). */
  requestId: string | number;
  /** The MCP session (`mcp-session-id`), or `null` (stdio, or before `initialize` answered). */
  sessionId: string | null;
  /** `http` through `sluice.fetch` (Streamable HTTP), `transport` through `mcpTransport()`. */
  transport: 'http' | 'transport';
  /** Size of the request message sent, in bytes of JSON (UTF-16 code units for a wrapped transport). */
  requestBytes: number;
  /** Size of the answer received, or `null` when none came. */
  resultBytes: number | null;
  /** The JSON-RPC error code the client received, or `null`. */
  errorCode: number | null;
  /** Whether a tool answered with `isError: true` (a tool-level failure, recorded as `failed`, class `tool_error`). */
  toolError: boolean;
}

/** Token counts for one call. `null` means the provider did not say and Sluice could not tell. */
export interface Usage {
  /** Every input token, cached ones included. */
  inputTokens: number | null;
  /** Every output token, reasoning tokens included. */
  outputTokens: number | null;
  /** Input tokens read from the provider's prompt cache (a subset of `inputTokens`). */
  cachedTokens: number | null;
  /** Hidden reasoning tokens (a subset of `outputTokens`). */
  reasoningTokens: number | null;
  /** Input tokens written to the provider's prompt cache (a subset of `inputTokens`; Anthropic, Bedrock). */
  cacheWriteTokens: number | null;
  /**
   * The part of `cacheWriteTokens` written to the 1-hour cache (Anthropic's
   * `cache_creation.ephemeral_1h_input_tokens`, Bedrock's `cacheDetails`); absent when not reported.
   */
  cacheWrite1hTokens?: number | null;
}

/** How a call ended. */
export type CallOutcome =
  /** The provider answered and, for a stream, the stream reached its end. */
  | 'completed'
  /** The provider (or Sluice on its behalf) answered with an HTTP error. */
  | 'failed'
  /** The caller aborted or stopped reading before the end. */
  | 'cancelled'
  /** The network or the stream broke. */
  | 'errored';

/** What went wrong, without bodies, headers or keys. */
export interface RecordError {
  /** A stable class: `http_error`, `network_error`, `abort`, `stream_error`, or a Sluice error code. */
  class: string;
  /** A human-readable message, never containing credentials. */
  message: string;
}

/** One upstream request made for a call (a retry or a fallback is one more). */
export interface Attempt {
  /** The provider entry it went to; `null` for the URL the SDK chose. */
  provider: string | null;
  /** The model sent upstream. */
  model: string | null;
  /** Which of the provider's `apiKeys` was used (`#0`, `#1`...), or `null` for a single key. Never the key. */
  keyId: string | null;
  /** The HTTP status received; `null` when no response arrived (network failure, abort). */
  status: number | null;
  /** `null` on success; otherwise `http_error` (status >= 400), `network_error`, `timeout`, `abort` or `redirect` (not followed). */
  errorClass: string | null;
  /** From sending the request to its outcome: the whole body for JSON answers, the headers for streams. */
  latencyMs: number;
  /** From the call's start to sending this attempt (so its span can be placed in time). */
  sentAfterMs: number;
}

/** What a guard rule may do with a match. */
export type GuardAction = 'redact' | 'mask' | 'block' | 'log';

/** One guard rule's verdict on a call. Never carries the matched text. */
export interface GuardVerdict {
  /** The rule's name (`email`, `credit-card`, `prompt-injection`, a custom rule's name). */
  rule: string;
  /** What was done. */
  action: GuardAction;
  /** How many matches. */
  count: number;
}

/** How the cache took part in a call. */
export interface CacheOutcome {
  /** `hit`: served from the cache; `miss`: not found (and stored if it completed); `bypass`: the call asked to skip it. */
  status: 'hit' | 'miss' | 'bypass';
  /** The cache namespace. */
  namespace: string;
  /** On a hit, what the original call cost; otherwise `null`. */
  savedUsd: number | null;
}

/** Time Sluice spent in each phase of the call, in milliseconds. */
export interface PhaseTimings {
  /** From `fetch` being called until the first upstream request was sent (classify, parse, middleware, route). */
  requestMs: number;
  /** From the first upstream request being sent until the last one's response headers (retries and waits included). */
  upstreamMs: number | null;
  /** Sluice's own work on the response (reading usage from a JSON body, wrapping a stream). */
  responseMs: number;
}

/** One record per modelled call. Field names are stable; new fields may be added. */
export interface CallRecord {
  /** The Sluice call id, also sent to the SDK as its request id header on Sluice-made responses. */
  id: string;
  /** Wall-clock start, milliseconds since the epoch. */
  startedAt: number;
  /** The dialect the SDK spoke; `mcp` for an MCP request. */
  dialect: RecordDialect;
  /** The operation within the dialect (`mcp.tools/call`... for MCP). */
  operation: RecordOperation;
  /** The model the SDK asked for, as it asked (alias or `provider/model` included). */
  requestedModel: string | null;
  /** The provider entry that served the call (the last attempt's); `null` when the call went to the URL the SDK chose. */
  provider: string | null;
  /** The model sent upstream, or the one the provider said answered when it reported one. */
  model: string | null;
  /** HTTP status the SDK received; `null` when no response was produced (network failure, abort). */
  status: number | null;
  /** How the call ended. */
  outcome: CallOutcome;
  /** Whether the response was a stream. */
  streamed: boolean;
  /** From `fetch` being called to the end of the response (last stream chunk for streams). */
  latencyMs: number;
  /** Time to the first body chunk of a stream; `null` for non-streaming calls. */
  ttftMs: number | null;
  /** Time spent in Sluice itself: `phases.requestMs + phases.responseMs`. */
  overheadMs: number;
  /** Per-phase timings. */
  phases: PhaseTimings;
  /** Token counts. */
  usage: Usage;
  /** Whether `usage` covers only part of the answer (a stream that ended early). */
  usagePartial: boolean;
  /**
   * Whether `usage` was estimated by Sluice (about four characters per token, from the request and the
   * streamed text) because the provider reported none, as when a stream breaks before its usage event.
   */
  usageEstimated: boolean;
  /** Cost in USD from the price catalog; `null` when the model has no price or usage is unknown. */
  costUsd: number | null;
  /** Which price rules applied to `costUsd`: prompt-size tier, time-of-day window, region, date (docs/costs.md); `null` when unpriced. */
  pricing: Pricing | null;
  /** End user, from config, the `x-sluice-user` header or the body's `user` field. */
  user: string | null;
  /** Session, from the `x-sluice-session` header. */
  session: string | null;
  /** Tags, from config and the `x-sluice-tags` header (comma separated). */
  tags: string[];
  /**
   * Free-form metadata: the config's `metadata` merged with the call's `x-sluice-metadata` header (a JSON
   * object), as hooks last left `ctx.metadata`; `null` when none was given. Not scrubbed: keep secrets out.
   */
  metadata: Record<string, unknown> | null;
  /** What went wrong, when something did. */
  error: RecordError | null;
  /** Every upstream request, in order; the last one served. Empty when none was made (a refusal). */
  attempts: Attempt[];
  /** How the cache took part; `null` when no cache plugin looked at the call. */
  cache: CacheOutcome | null;
  /** What guard rules (PII, injection, content) found and did; empty when none matched. */
  guard: GuardVerdict[];
  /**
   * The region of the target that served (`'eu-west-1'`, `'eu'`), from `providers.<name>.region` or
   * the catalog's regional endpoints; `null` when unknown or when no router saw the call (docs/compliance.md).
   */
  region: string | null;
  /** Whether the call ran under zero data retention (`retention: 'none'`): no bodies, no text anywhere. */
  zeroRetention: boolean;
  /**
   * The request body as the SDK sent it after middleware changed it (so PII redaction applies),
   * JSON text, unless `record.bodies` is off.
   */
  requestBody: string | null;
  /** The response body (JSON text; for streams the raw event text), unless `record.bodies` is off. */
  responseBody: string | null;
  /** For an MCP request (`dialect: 'mcp'`): server, method, tool, session, sizes; absent on model calls. */
  mcp?: McpCallInfo;
}
