/**
 * Pivot usage to Sluice's token counts. Pure.
 * @module
 */
import type { TokenUsage } from '../price.js';
import { tokenCount as count } from '../token-count.js';
import type { ChatUsage } from './types.js';


/**
 * Reads pivot usage (already normalised by the provider codec: cache reads and writes inside `prompt_tokens`).
 * @param usage The usage of a pivot response or usage chunk.
 * @returns Token counts, `null` where the provider did not say.
 * @example
 * pivotUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }).inputTokens; // 10
 */
export function pivotUsage(usage: ChatUsage): Required<Omit<TokenUsage, 'cacheWrite1hTokens'>> & Pick<TokenUsage, 'cacheWrite1hTokens'> {
  const read: Required<Omit<TokenUsage, 'cacheWrite1hTokens'>> & Pick<TokenUsage, 'cacheWrite1hTokens'> = {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: count(usage.completion_tokens),
    cachedTokens: count(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
    cacheWriteTokens: count(usage.prompt_tokens_details?.cache_write_tokens),
  };
  // Only where the provider split its cache writes by duration (Anthropic, Bedrock).
  const hour = count(usage.prompt_tokens_details?.cache_write_1h_tokens);
  if (hour !== null) read.cacheWrite1hTokens = hour;
  return read;
}
