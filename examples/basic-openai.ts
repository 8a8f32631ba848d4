/**
 * Wrap the official OpenAI SDK with zero configuration: nothing the application sees changes, and every
 * call yields a record with tokens, cost and latency. Runs against the mock provider; no key needed.
 * Run: node --import tsx examples/basic-openai.ts
 */
import OpenAI from 'openai';
import { createSluice } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider();
const sluice = createSluice();
sluice.on('request:end', ({ record }) => {
  console.log(`${record.id} ${record.model} ${record.status} ${record.latencyMs.toFixed(1)} ms`, record.usage, `$${record.costUsd}`);
});

// In production: new OpenAI({ fetch: sluice.fetch }) and nothing else.
const openai = new OpenAI({ baseURL: mock.baseURL, apiKey: 'sk-example', fetch: sluice.fetch });
const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] });
console.log(completion.choices[0]?.message.content);

const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream please' }], stream: true });
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
process.stdout.write('\n');

await sluice.close();
await mock.close();
