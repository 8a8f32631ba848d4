/**
 * Which token buckets a call touches and how many tokens it reserves: subjects per scope, the TPM
 * estimate before the call, and the correction from the real usage after it.
 * @module
 */
import type { CallContext } from '../../core/context.js';
import type { BucketChange } from '../../stores/limits-types.js';
import type { BucketRule } from './options.js';

/** One bucket a call takes from, with the rule behind it. */
export interface CallBucket {
  rule: BucketRule;
  /** The limit's name for events and messages, e.g. `rpm:user:alice`. */
  label: string;
  change: BucketChange;
}

/**
 * The provider a call counts under before routing: the prefix of a `provider/model` name, else the
 * SDK's own dialect (`openai`, `anthropic`, `gemini`), whose provider it calls by default. An alias or
 * router name (`smart`) therefore counts under the dialect, not under the provider it resolves to.
 * @param ctx The call.
 * @returns The provider name, or `null` when the call names no model.
 */
export function providerOf(ctx: CallContext): string | null {
  const model = ctx.requestedModel;
  if (model === null) return null;
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash) : ctx.dialect;
}

function subjects(rule: BucketRule, ctx: CallContext, provider: string | null): readonly string[] {
  switch (rule.scope) {
    case 'global':
      return [''];
    case 'provider':
      return provider === null ? [] : [provider];
    case 'model':
      return ctx.requestedModel === null ? [] : [ctx.requestedModel];
    case 'user':
      return ctx.user === null ? [] : [ctx.user];
    case 'tag':
      // A tag given twice is one subject: its bucket is charged once.
      return ctx.tags.length < 2 ? ctx.tags : [...new Set(ctx.tags)];
    default: {
      const unreachable: never = rule.scope;
      throw new Error(`unhandled scope ${String(unreachable)}`);
    }
  }
}

function positiveNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The output tokens a request allows, in any dialect: OpenAI Chat `max_completion_tokens` /
 * `max_tokens`, Responses `max_output_tokens`, Anthropic `max_tokens`, Gemini
 * `generationConfig.maxOutputTokens`.
 */
function maxOutputTokens(body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const fields = body as Record<string, unknown>;
  const generation = fields['generationConfig'];
  return (
    positiveNumber(fields['max_completion_tokens']) ??
    positiveNumber(fields['max_tokens']) ??
    positiveNumber(fields['max_output_tokens']) ??
    (typeof generation === 'object' && generation !== null ? positiveNumber((generation as Record<string, unknown>)['maxOutputTokens']) : null)
  );
}

/**
 * Estimates a call's tokens before it runs: about one token per four characters of the request body,
 * plus the request's output limit (or `estimatedOutputTokens`); embeddings produce no output tokens.
 * @param ctx The call.
 * @param estimatedOutputTokens Output tokens assumed when the request sets no limit.
 * @returns Whole tokens (≥ 1).
 */
export function estimateTokens(ctx: CallContext, estimatedOutputTokens: number): number {
  const input = Math.ceil((ctx.bodyText?.length ?? 0) / 4);
  const output = ctx.operation === 'embeddings' ? 0 : (maxOutputTokens(ctx.body) ?? estimatedOutputTokens);
  return Math.max(1, input + output);
}

/**
 * The buckets a call takes from, one per applicable rule and subject.
 * @param rules Every bucket rule.
 * @param ctx The call.
 * @param provider The provider it counts under.
 * @param estimatedTokens Its token estimate, for TPM buckets.
 * @returns The buckets, in rule order.
 */
export function callBuckets(rules: readonly BucketRule[], ctx: CallContext, provider: string | null, estimatedTokens: number): CallBucket[] {
  const buckets: CallBucket[] = [];
  for (const rule of rules) {
    for (const subject of subjects(rule, ctx, provider)) {
      if (rule.match !== null && subject !== rule.match) continue;
      const label = rule.scope === 'global' ? `${rule.kind}:global` : `${rule.kind}:${rule.scope}:${subject}`;
      buckets.push({
        rule,
        label,
        change: {
          key: `${rule.index}:${label}`,
          capacity: rule.perMinute,
          refillPerMs: rule.refillPerMs,
          // A call larger than the whole bucket waits for a full bucket and empties it; its real usage
          // is charged afterwards, so the debt delays the next calls instead of refusing this one forever.
          amount: rule.kind === 'rpm' ? 1 : Math.min(rule.perMinute, estimatedTokens),
        },
      });
    }
  }
  return buckets;
}

/**
 * The TPM correction once a call has ended: real usage minus what was reserved, or a full refund when
 * nothing reached the provider's meter (a cache hit; an error before any output with no usage reported).
 * @param ctx The ended call.
 * @param reserved Tokens taken from the bucket.
 * @returns Tokens to charge (> 0) or give back (< 0).
 */
export function tokenCorrection(ctx: CallContext, reserved: number): number {
  if (ctx.cache?.status === 'hit') return -reserved;
  const { inputTokens, outputTokens } = ctx.usage;
  if (inputTokens !== null || outputTokens !== null) return (inputTokens ?? 0) + (outputTokens ?? 0) - reserved;
  if (ctx.outcome !== 'completed' && ctx.firstChunkMs === null) return -reserved;
  // Completed without usage (a provider that reports none): the estimate stands.
  return 0;
}
