/**
 * The demo (`npm run demo`): starts the mock provider (which speaks the OpenAI, Anthropic and Gemini
 * wire formats), wraps the official OpenAI and Anthropic SDKs with Sluice, sends a realistic mix of
 * calls (several models and providers, an alias, a router that falls back, streaming and not,
 * embeddings, a few provider errors, a repeated question the cache answers, an email the PII filter
 * keeps from the provider), and prints what Sluice recorded per model. Needs no provider key and no
 * network.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createSluice, type CallRecord } from '../src/index.js';
import { cache, pii } from '../src/plugins/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider({ latencyMs: 2, chunkDelayMs: 1 });
const sluice = createSluice({
  providers: {
    local: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'sk-local-demo-key' },
    claude: { kind: 'anthropic', baseURL: mock.url, apiKey: 'sk-ant-demo-key' },
    gemini: { kind: 'gemini', baseURL: mock.url, apiKey: 'demo-gemini-key' },
  },
  models: {
    fast: { target: 'local/gpt-4o-mini' },
    smart: { target: 'local/gpt-4.1' },
    // Claude first; when it is overloaded (529), the same call falls back to Gemini.
    resilient: { strategy: 'priority', targets: ['claude/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'], retries: 0 },
  },
  use: [pii({ mode: 'redact' }), cache({ ttl: '10m' })],
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
const models = ['fast', 'smart', 'local/gpt-4o', 'resilient', 'claude/claude-haiku-4-5'];

// A few provider faults, consumed by the calls that match them.
mock.script(
  { kind: 'error', status: 500, message: 'The server had an error while processing your request.', match: { model: 'gpt-4.1' } },
  { kind: 'rate-limit', retryAfterS: 1, match: { model: 'gpt-4o' } },
  { kind: 'error', status: 529, match: { model: 'claude-sonnet-4-5' } },
);

// Warm up: routing, translation and the price catalog load on first use; keep that out of the table.
for (const model of ['fast', 'claude/claude-haiku-4-5', 'gemini/gemini-2.5-flash']) {
  await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'warm-up' }] });
}
await sluice.flush();
records.length = 0;

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

// The Anthropic SDK on an OpenAI-compatible provider: Sluice translates both ways.
const anthropic = new Anthropic({ apiKey: 'sk-ant-client-key', fetch: sluice.fetch, maxRetries: 0 });
const reply = await anthropic.messages.create({ model: 'fast', max_tokens: 200, messages: [{ role: 'user', content: 'Email ada@example.com a summary, please.' }] });
const replyText = reply.content[0]?.type === 'text' ? reply.content[0].text : '';
const sentUpstream = JSON.stringify(mock.requests.at(-1)?.body ?? null);
// The same question again: the cache answers, the provider is not called.
const requestsBefore = mock.requests.length;
await anthropic.messages.create({ model: 'fast', max_tokens: 200, messages: [{ role: 'user', content: 'Email ada@example.com a summary, please.' }] });
await sluice.flush();
const cacheAnswered = mock.requests.length === requestsBefore;
await sluice.close();
await mock.close();

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const byModel = new Map<string, CallRecord[]>();
for (const record of records) {
  const key = `${record.requestedModel ?? '-'} → ${record.cache?.status === 'hit' ? 'cache' : `${record.provider ?? 'origin'}/${record.model ?? '-'}`}`;
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
    'tokens in': list.reduce((sum, record) => sum + (record.usage.inputTokens ?? 0), 0),
    'tokens out': list.reduce((sum, record) => sum + (record.usage.outputTokens ?? 0), 0),
    'cost USD': cost.toFixed(6),
  };
});
console.log(`\nSluice demo: ${records.length} calls recorded, ${failures} surfaced to the SDK as its own typed errors\n`);
console.table(rows);
const total = records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
console.log(`total cost: $${total.toFixed(6)} (prices from the built-in catalog; the mock's token counts)`);
console.log("(latency is the mock's plus 30 calls in flight at once on one thread; Sluice's own cost per call is what `npm run bench` measures)");
const fellBack = records.filter((record) => record.requestedModel === 'resilient' && record.attempts.length > 1).length;
console.log(`router 'resilient': ${fellBack} call(s) fell back from Claude (529) to Gemini without the SDK noticing`);
console.log(`Anthropic SDK → OpenAI-format provider: "${replyText}"`);
console.log(`  the provider saw: ${sentUpstream.includes('ada@example.com') ? 'the email (!)' : 'a placeholder instead of the email'}; the SDK got the email back: ${replyText.includes('ada@example.com')}`);
console.log(`  the same question again was answered by the cache: ${cacheAnswered}`);
