import { RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { limits, type LimitsOptions } from '../../src/plugins/limits/index.js';
import type { BucketChange, RateLimitStore } from '../../src/stores/limits-types.js';
import { memoryRateLimitStore } from '../../src/stores/memory/limits.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextEvent, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

function setup(options: LimitsOptions) {
  const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } }, use: [limits(options)] });
  return { sluice, client: clientFor(sluice, mock.baseURL) };
}

describe('limits() through the OpenAI SDK', () => {
  it('refuses the call over rpm: the SDK raises RateLimitError with retry-after, and the mock is not called', async () => {
    const { sluice, client } = setup({ rate: [{ scope: 'model', rpm: 2 }] });
    const rejects = collect(sluice, 'limit:reject');
    const ends = collect(sluice, 'request:end');
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    const error = await rejection(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(limited.status).toBe(429);
    expect(limited.message).toContain('rate limit rpm:model:openai/gpt-4o-mini (2 requests per minute) is reached');
    expect(limited.code).toBe('sluice_rate_limited');
    const retryAfterMs = Number(limited.headers?.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(29_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(limited.headers?.get('retry-after')).toBe('30');
    expect(mock.requests).toHaveLength(2);
    await sluice.flush();
    expect(ends.map((event) => event.record.status)).toEqual([200, 200, 429]);
    expect(ends[2]!.record).toMatchObject({ outcome: 'failed', error: { class: 'sluice_rate_limited' } });
    expect(rejects).toHaveLength(1);
  });

  it('holds a concurrency slot until a stream is read to its end', async () => {
    const { sluice, client } = setup({ concurrency: { perModel: 1 } });
    const waits = collect(sluice, 'limit:wait');
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    // The headers have arrived; the stream is not read yet, so the call is not over.
    const waited = nextEvent(sluice, 'limit:wait');
    const second = client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    expect((await waited).limit).toBe('concurrency:model:openai/gpt-4o-mini');
    expect(mock.requests).toHaveLength(1);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: hello brave new world');
    const answer = await second;
    expect(answer.choices[0]!.message.content).toBe('Echo: hello brave new world');
    expect(mock.requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('frees the slot of a stream the caller aborts without reading it', async () => {
    const { client } = setup({ concurrency: { global: 1, queueTimeoutMs: 2000 } });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    stream.controller.abort();
    const answer = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    expect(answer.object).toBe('chat.completion');
  });

  it('corrects the TPM reservation with the usage the provider reported, streams included', async () => {
    const memory = memoryRateLimitStore();
    const corrections: number[] = [];
    const store: RateLimitStore = {
      take: (changes, nowMs) => memory.take(changes, nowMs),
      adjust: (changes: readonly BucketChange[], nowMs: number) => {
        corrections.push(...changes.map((change) => change.amount));
        memory.adjust(changes, nowMs);
      },
    };
    const { sluice, client } = setup({ store, rate: [{ scope: 'global', tpm: 100_000 }], estimatedOutputTokens: 1000 });
    const request = { model: 'openai/gpt-4o-mini', messages };
    const estimate = Math.ceil(JSON.stringify(request).length / 4) + 1000;
    mock.script({ kind: 'reply', content: 'ok', usage: { prompt_tokens: 40, completion_tokens: 2 } });
    await client.chat.completions.create(request);
    await sluice.flush();
    expect(corrections).toEqual([42 - estimate]);

    mock.script({ kind: 'reply', content: 'streamed', usage: { prompt_tokens: 50, completion_tokens: 7 } });
    const streamEnded = nextEvent(sluice, 'request:end');
    const streamRequest = { ...request, stream: true as const };
    const streamEstimate = Math.ceil(JSON.stringify(streamRequest).length / 4) + 1000;
    const stream = await client.chat.completions.create(streamRequest);
    for await (const chunk of stream) void chunk;
    expect((await streamEnded).record.usage).toMatchObject({ inputTokens: 50, outputTokens: 7 });
    expect(corrections).toEqual([42 - estimate, 57 - streamEstimate]);
  });
});
