/**
 * The OpenAI SDK calling an Anthropic-format provider: Sluice translates the Chat Completions request
 * into a Messages request, and the Messages answer (whole or streamed) back into Chat Completions.
 * Runs against the mock provider, which answers in Anthropic's own wire format; no key, no network.
 * Run: node --import tsx examples/cross-provider.ts
 */
import OpenAI from 'openai';
import { createSluice, type CallRecord } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider();
const sluice = createSluice({
  // `kind: 'anthropic'`: Sluice posts to `${baseURL}/v1/messages` with `x-api-key` and `anthropic-version`.
  providers: { claude: { kind: 'anthropic', baseURL: mock.url, apiKey: 'sk-ant-example-key' } },
  models: { smart: { target: 'claude/claude-sonnet-4-5' } },
});
const records: CallRecord[] = [];
sluice.on('request:end', ({ record }) => records.push(record));

function show(record: CallRecord | undefined): void {
  if (record === undefined) return;
  const { inputTokens, outputTokens, cachedTokens, cacheWriteTokens } = record.usage;
  console.log(`  record: ${record.dialect} SDK -> ${record.provider}/${record.model}, status ${record.status}, ${record.outcome}`);
  console.log(`  usage:  ${inputTokens} in (${cachedTokens} cache reads, ${cacheWriteTokens} cache writes), ${outputTokens} out; cost $${record.costUsd}`);
}

// The SDK keeps its own URL and key: `smart` resolves to the `claude` provider, which gets its own key.
const openai = new OpenAI({ apiKey: 'sk-openai-unused', fetch: sluice.fetch, maxRetries: 0 });

// Anthropic reports cache reads and writes apart from `input_tokens`; the record adds them back in.
mock.script({ kind: 'reply', content: 'A sluice is a gate that controls the flow of water.', usage: { prompt_tokens: 1200, completion_tokens: 14, cached_tokens: 1000, cache_write_tokens: 150 } });
const completion = await openai.chat.completions.create({
  model: 'smart',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'What is a sluice?' },
  ],
});
console.log(`non-streaming: ${completion.choices[0]?.message.content} (finish_reason ${completion.choices[0]?.finish_reason})`);
console.log(`  the SDK's usage: ${JSON.stringify(completion.usage)}`);
await sluice.flush();
show(records[0]);

// A stream: Anthropic's message_start / content_block_delta / message_delta events arrive as Chat chunks.
mock.script({ kind: 'reply', content: 'Gates, locks and weirs all hold water back.', usage: { prompt_tokens: 20, completion_tokens: 11 } });
const stream = await openai.chat.completions.create({
  model: 'claude/claude-sonnet-4-5',
  messages: [{ role: 'user', content: 'Name things that hold water back.' }],
  stream: true,
  stream_options: { include_usage: true },
});
process.stdout.write('streaming:     ');
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta.content ?? '');
  if (chunk.usage) process.stdout.write(`\n  the SDK's usage chunk: ${JSON.stringify(chunk.usage)}`);
}
process.stdout.write('\n');
await sluice.flush();
show(records[1]);

// The upstream request was Anthropic's format, not OpenAI's.
const sent = mock.requests[0];
console.log(`upstream: ${sent?.method} ${sent?.path} x-api-key=${sent?.headers['x-api-key'] === undefined ? 'absent' : 'set'} body=${sent?.bodyText}`);

await sluice.close();
await mock.close();
