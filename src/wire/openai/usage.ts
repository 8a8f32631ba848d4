/**
 * Usage extraction from OpenAI-format bodies. Pure.
 * @module
 */
import type { TokenUsage } from '../price.js';
import { tokenCount as num } from '../token-count.js';

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Reads a Chat Completions or Embeddings `usage` object.
 * @param usage The `usage` field of a response or of the final stream chunk.
 * @returns Token counts, `null` where the provider did not say; `null` when `usage` is not an object.
 * @example
 * chatUsage({ prompt_tokens: 9, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 0 } });
 */
export function chatUsage(usage: unknown): TokenUsage | null {
  if (typeof usage !== 'object' || usage === null) return null;
  const input = num(field(usage, 'prompt_tokens'));
  let output = num(field(usage, 'completion_tokens'));
  // Embeddings report only prompt and total tokens: no output was produced.
  if (output === null && input !== null && num(field(usage, 'total_tokens')) === input) output = 0;
  const details = field(usage, 'prompt_tokens_details');
  const read: TokenUsage = {
    inputTokens: input,
    outputTokens: output,
    cachedTokens: num(field(details, 'cached_tokens')),
    reasoningTokens: num(field(field(usage, 'completion_tokens_details'), 'reasoning_tokens')),
  };
  // Cache writes, where the provider reports them (`cache_write_tokens`: newest spec only, most report none).
  const written = num(field(details, 'cache_write_tokens'));
  if (written !== null) read.cacheWriteTokens = written;
  return read;
}

/**
 * Reads a Responses API `usage` object.
 * @param usage The `usage` field of a `response` object.
 * @returns Token counts, or `null` when `usage` is not an object.
 */
export function responsesUsage(usage: unknown): TokenUsage | null {
  if (typeof usage !== 'object' || usage === null) return null;
  return {
    inputTokens: num(field(usage, 'input_tokens')),
    outputTokens: num(field(usage, 'output_tokens')),
    cachedTokens: num(field(field(usage, 'input_tokens_details'), 'cached_tokens')),
    reasoningTokens: num(field(field(usage, 'output_tokens_details'), 'reasoning_tokens')),
  };
}

/** What Sluice reads from a non-streaming OpenAI-format response body. */
export interface ResponseSummary {
  usage: TokenUsage | null;
  /** The model the provider says answered. */
  model: string | null;
}

/**
 * Reads usage and model from a parsed OpenAI-format response body of any operation.
 * @param body The parsed JSON body.
 * @param operation Which endpoint produced it.
 */
export function summarizeResponse(body: unknown, operation: 'chat' | 'responses' | 'embeddings' | 'models'): ResponseSummary {
  const model = field(body, 'model');
  return {
    usage: operation === 'responses' ? responsesUsage(field(body, 'usage')) : operation === 'models' ? null : chatUsage(field(body, 'usage')),
    model: typeof model === 'string' ? model : null,
  };
}
