/**
 * The demo (`npm run demo`): starts the mock provider, wraps the official OpenAI SDK with Sluice, sends
 * a realistic mix of calls (several models, an alias, streaming and not, embeddings, a few provider
 * errors), and prints what Sluice recorded per model. Needs no provider key and no network.
 */
import OpenAI from 'openai';
import { createSluice, type CallRecord } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider({ latencyMs: 2, chunkDelayMs: 1 });
const sluice = createSluice({
  providers: { local: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'sk-local-demo-key' } },
  models: { fast: { target: 'local/gpt-4o-mini' }, smart: { target: 'local/gpt-4.1' } },
});
const records: CallRecord[] = [];
sluice.on('request:end', ({ record }) => records.push(record));

// The SDK keeps its own base URL and key; Sluice routes `local/...` and the aliases to the mock.
const openai = new OpenAI({ apiKey: 'sk-client-key', baseURL: 'https://api.openai.com/v1', fetch: sluice.fetch, maxRetries: 0 });

const prompts = [
  'Summarise the plot of Hamlet in one sentence.',
  'Write a haiku about rivers and locks.',
  'What is the capital of Australia?',
  'Explain a sluice gate to a child.',
  'List three uses of a middleware pipeline.',
];
const models = ['fast', 'smart', 'local/gpt-4o', 'local/gpt-4o-mini'];

// A few provider faults, consumed by the calls that match them.
mock.script(
  { kind: 'error', status: 500, message: 'The server had an error while processing your request.', match: { model: 'gpt-4.1' } },
  { kind: 'rate-limit', retryAfterS: 1, match: { model: 'gpt-4o' } },
);

let failures = 0;
const calls: Promise<void>[] = [];
for (let round = 0; round < 6; round++) {
  for (const [index, model] of models.entries()) {
    const content = prompts[(round + index) % prompts.length]!;
    const streamed = (round + index) % 2 === 0;
    calls.push(
      (async () => {
        try {
          if (streamed) {
            const stream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content }], stream: true });
            for await (const chunk of stream) void chunk;
          } else {
            await openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });
          }
        } catch (error) {
          if (!(error instanceof OpenAI.APIError)) throw error;
          failures++;
        }
      })(),
    );
  }
}
calls.push(openai.embeddings.create({ model: 'local/text-embedding-3-small', input: prompts }).then(() => undefined));
await Promise.all(calls);
await sluice.close();
await mock.close();

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const byModel = new Map<string, CallRecord[]>();
for (const record of records) {
  const key = `${record.requestedModel ?? '-'} → ${record.provider ?? 'origin'}/${record.model ?? '-'}`;
  byModel.set(key, [...(byModel.get(key) ?? []), record]);
}
const rows = [...byModel.entries()].map(([key, list]) => {
  const cost = list.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
  return {
    'model (asked → served)': key,
    calls: list.length,
    errors: list.filter((record) => record.outcome !== 'completed').length,
    streamed: list.filter((record) => record.streamed).length,
    'p50 ms': percentile(list.map((record) => record.latencyMs), 50).toFixed(1),
    'p99 ms': percentile(list.map((record) => record.latencyMs), 99).toFixed(1),
    'sluice overhead p50 µs': (percentile(list.map((record) => record.overheadMs), 50) * 1000).toFixed(0),
    'tokens in': list.reduce((sum, record) => sum + (record.usage.inputTokens ?? 0), 0),
    'tokens out': list.reduce((sum, record) => sum + (record.usage.outputTokens ?? 0), 0),
    'cost USD': cost.toFixed(6),
  };
});
console.log(`\nSluice demo: ${records.length} calls recorded, ${failures} surfaced to the SDK as its own typed errors\n`);
console.table(rows);
const total = records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
console.log(`total cost: $${total.toFixed(6)} (prices from the built-in catalog; the mock's token counts)`);
