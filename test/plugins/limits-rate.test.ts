/**
 * Which buckets a call takes from and how its tokens are corrected afterwards: behaviour mutation
 * testing found unpinned by the rpm: 1 tests (issue 20).
 */
import { describe, expect, it } from 'vitest';
import type { BucketRule } from '../../src/plugins/limits/options.js';
import { callBuckets, providerOf, tokenCorrection } from '../../src/plugins/limits/rate.js';
import { callContext } from './limits-helpers.js';

function rule(overrides: Partial<BucketRule>): BucketRule {
  return { index: 0, kind: 'rpm', scope: 'global', match: null, perMinute: 60, refillPerMs: 60 / 60_000, wait: false, maxWaitMs: 0, ...overrides };
}

describe('callBuckets', () => {
  it('a rule restricted to one subject applies to that subject only', () => {
    const onlyAlice = rule({ scope: 'user', match: 'alice' });
    expect(callBuckets([onlyAlice], callContext({ user: 'bob' }), 'openai', 10)).toEqual([]);
    expect(callBuckets([onlyAlice], callContext({ user: null }), 'openai', 10)).toEqual([]);
    expect(callBuckets([onlyAlice], callContext({ user: 'alice' }), 'openai', 10).map((bucket) => bucket.label)).toEqual(['rpm:user:alice']);
    const onlyGroq = rule({ scope: 'provider', match: 'groq' });
    expect(callBuckets([onlyGroq], callContext(), 'openai', 10)).toEqual([]);
    expect(callBuckets([onlyGroq], callContext(), 'groq', 10)).toHaveLength(1);
  });

  it('a rule without a subject gives each subject its own bucket', () => {
    const perUser = rule({ scope: 'user' });
    const [alice] = callBuckets([perUser], callContext({ user: 'alice' }), null, 10);
    const [bob] = callBuckets([perUser], callContext({ user: 'bob' }), null, 10);
    expect(alice!.change.key).not.toBe(bob!.change.key);
  });

  it('a tag given twice is charged once, and every distinct tag is charged', () => {
    const perTag = rule({ scope: 'tag' });
    expect(callBuckets([perTag], callContext({ tags: ['beta', 'beta', 'eu'] }), null, 10).map((bucket) => bucket.label)).toEqual(['rpm:tag:beta', 'rpm:tag:eu']);
    expect(callBuckets([perTag], callContext({ tags: ['solo'] }), null, 10).map((bucket) => bucket.label)).toEqual(['rpm:tag:solo']);
  });

  it('two rules of the same scope never share a bucket', () => {
    const [first, second] = callBuckets([rule({ index: 0 }), rule({ index: 1, perMinute: 10 })], callContext(), null, 10);
    expect(first!.change.key).not.toBe(second!.change.key);
    expect([first!.change.capacity, second!.change.capacity]).toEqual([60, 10]);
  });

  it('an rpm bucket takes one; a tpm bucket takes the estimate, at most its whole capacity', () => {
    const [rpm, tpm, small] = callBuckets([rule({ index: 0 }), rule({ index: 1, kind: 'tpm', perMinute: 1000 }), rule({ index: 2, kind: 'tpm', perMinute: 50 })], callContext(), null, 120);
    expect([rpm!.change.amount, tpm!.change.amount, small!.change.amount]).toEqual([1, 120, 50]);
    expect(tpm!.label).toBe('tpm:global');
  });

  it('counts a call under the provider its model names, else under its dialect', () => {
    expect(providerOf(callContext({ body: { model: 'groq/llama' } }))).toBe('groq');
    expect(providerOf(callContext({ body: { model: 'smart' }, dialect: 'anthropic' }))).toBe('anthropic');
    expect(providerOf(callContext({ body: {} }))).toBeNull();
  });
});

describe('tokenCorrection', () => {
  it('refunds everything for a cache hit', () => {
    const ctx = callContext();
    ctx.cache = { status: 'hit', namespace: 'default', savedUsd: null };
    ctx.usage = { ...ctx.usage, inputTokens: 10, outputTokens: 10 };
    expect(tokenCorrection(ctx, 500)).toBe(-500);
  });

  it('charges the real usage minus the reservation, with a count the provider left out as zero', () => {
    const ctx = callContext();
    ctx.usage = { ...ctx.usage, inputTokens: 300, outputTokens: 400 };
    expect(tokenCorrection(ctx, 500)).toBe(200);
    ctx.usage = { ...ctx.usage, inputTokens: 300, outputTokens: null };
    expect(tokenCorrection(ctx, 500)).toBe(-200);
    ctx.usage = { ...ctx.usage, inputTokens: null, outputTokens: 50 };
    expect(tokenCorrection(ctx, 500)).toBe(-450);
  });

  it('refunds a call that failed before any output, and keeps the estimate once output began', () => {
    const before = callContext();
    before.outcome = 'errored';
    expect(tokenCorrection(before, 500)).toBe(-500);
    const after = callContext();
    after.outcome = 'errored';
    after.firstChunkMs = 12;
    expect(tokenCorrection(after, 500)).toBe(0);
    const cancelled = callContext();
    cancelled.outcome = 'cancelled';
    expect(tokenCorrection(cancelled, 500)).toBe(-500);
  });

  it('keeps the estimate for a completed call that reported no usage', () => {
    const ctx = callContext();
    ctx.outcome = 'completed';
    expect(tokenCorrection(ctx, 500)).toBe(0);
  });
});
