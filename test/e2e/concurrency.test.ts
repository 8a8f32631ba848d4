/**
 * 5,000 concurrent slow streams through one Sluice instance, routed, all read to the end: every one
 * completes with the right text and a completed record, and heap use is reported.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { createMockProvider, type MockProvider } from '../../src/testing/index.js';

const STREAMS = 5_000;
let mock: MockProvider;
beforeAll(async () => {
  // Slow streams: every chunk 150 ms after the previous one, so all of them are open at once.
  mock = await createMockProvider({ chunkDelayMs: 150 });
});
afterAll(async () => {
  await mock.close();
});

describe('concurrency', () => {
  it(`${STREAMS} concurrent slow streams all complete`, { timeout: 120_000 }, async () => {
    const sluice = createSluice({
      providers: { a: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-a-123456' }, b: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-b-123456' } },
      models: { spread: { strategy: 'least-busy', targets: ['a/gpt-4o-mini', 'b/gpt-4o-mini'] } },
    });
    let completed = 0;
    let open = 0;
    let peakOpen = 0;
    sluice.on('request:start', () => {
      open++;
      peakOpen = Math.max(peakOpen, open);
    });
    sluice.on('request:end', ({ record }) => {
      open--;
      if (record.outcome === 'completed' && record.usage.outputTokens !== null) completed++;
    });
    const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let peakHeap = heapBefore;
    const texts = await Promise.all(
      Array.from({ length: STREAMS }, async (_, index) => {
        // Opened in waves of 500, a turn of the event loop apart, rather than 5,000 connects in one tick.
        for (let wave = 0; wave < Math.floor(index / 500); wave++) await new Promise((resolve) => setImmediate(resolve));
        const stream = await client.chat.completions.create({ model: 'spread', stream: true, messages: [{ role: 'user', content: `stream number ${index}` }] });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        if (index % 500 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        return text;
      }),
    );
    await sluice.flush();
    const seconds = (performance.now() - started) / 1000;
    texts.forEach((text, index) => expect(text).toBe(`Echo: stream number ${index}`));
    expect(completed).toBe(STREAMS);
    // They really were concurrent: most were open at the same time.
    expect(peakOpen).toBeGreaterThan(STREAMS * 0.8);
    const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
    console.log(
      `${STREAMS} concurrent streams (peak ${peakOpen} open at once): ${seconds.toFixed(1)} s; heap ${mb(heapBefore)} MB before, peak seen ${mb(peakHeap)} MB, ${mb(process.memoryUsage().heapUsed)} MB after`,
    );
    await sluice.close();
  });
});
