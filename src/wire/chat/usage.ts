/**
 * Pivot usage to Sluice's token counts. Pure.
 * @module
 */
import { tokenCount as count, type TokenUsage } from '../price.js';
import type { ChatUsage } from './types.js';


/**
 * Reads pivot usage (already normalised by the provider codec: cache reads and writes inside `prompt_tokens`).
 * @param usage The usage of a pivot response or usage chunk.
 * @returns Token counts, `null` where the provider did not say.
 * @example
 * pivotUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }).inputTokens; // 10
 */
export function pivotUsage(usage: ChatUsage): Required<TokenUsage> {
  return {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: count(usage.completion_tokens),
    cachedTokens: count(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
    cacheWriteTokens: count(usage.prompt_tokens_details?.cache_write_tokens),
  };
}
