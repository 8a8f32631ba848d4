import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createSluice, isSluiceError } from 'sluice';
import { consoleExporter } from 'sluice/exporters';
import { jsonlExporter } from 'sluice/exporters/node';
import { makeContext, fakeNext } from 'sluice/testing';
import { cache, pii, limits, budget, guard } from 'sluice/plugins';
import { listProviders, builtinPrices } from 'sluice/providers';
import { memoryCacheStore } from 'sluice/stores';
import { redisCacheStore, redisRateLimitStore } from 'sluice/stores/redis';
import * as postgresStores from 'sluice/stores/postgres';
import { interceptGlobalFetch } from 'sluice/intercept';
import { installSluiceDispatcher } from 'sluice/undici';
import { otel, SEMCONV_VERSION } from 'sluice/otel';
import { fromHeliconeConfig } from 'sluice/helicone';
import { heliconeExporter } from 'sluice/exporters';
import { nodeTransport } from 'sluice/node';

for (const fn of [cache, pii, limits, budget, guard, memoryCacheStore, redisCacheStore, redisRateLimitStore, interceptGlobalFetch, installSluiceDispatcher]) assert.equal(typeof fn, 'function');
assert.ok(listProviders().length > 100);
assert.equal(typeof otel(), 'function');
assert.equal(SEMCONV_VERSION, '1.41.0');
assert.deepEqual(fromHeliconeConfig('telemetry: { level: info }').warnings.length, 1);
assert.equal(heliconeExporter({ apiKey: 'k' }).name, 'helicone');
assert.ok(Object.values(postgresStores).some((value) => typeof value === 'function'));
assert.ok(Object.keys(builtinPrices).length > 10);

assert.equal(typeof isSluiceError, 'function');
assert.equal(typeof consoleExporter, 'function');
assert.equal(typeof jsonlExporter, 'function');
assert.equal((await fakeNext({ json: { ok: true } })(makeContext())).status, 200);

const sluice = createSluice();
const records = [];
sluice.on('request:end', ({ record }) => records.push(record));
const client = new OpenAI({ baseURL: process.env.MOCK_URL, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0 });
const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi from esm' }] });
assert.match(completion.choices[0].message.content, /hi from esm/);
await sluice.close();
assert.equal(records.length, 1);
assert.ok(records[0].usage.inputTokens > 0);

// Translation and plugins load their code on demand: an OpenAI SDK call to an Anthropic-format
// provider, through the PII filter and the cache, from the published build.
const origin = process.env.MOCK_URL.replace(/\/v1$/, '');
const translated = createSluice({ providers: { claude: { kind: 'anthropic', baseURL: origin, apiKey: 'k' } }, use: [pii(), cache({ ttl: 60_000 })] });
const cross = [];
translated.on('request:end', ({ record }) => cross.push(record));
const claude = new OpenAI({ apiKey: 'k', fetch: translated.fetch, maxRetries: 0 });
const answer = await claude.chat.completions.create({ model: 'claude/claude-sonnet-4-5', messages: [{ role: 'user', content: 'mail me at ada@example.com' }] });
assert.match(answer.choices[0].message.content, /ada@example\.com/);
await translated.flush();
const again = await claude.chat.completions.create({ model: 'claude/claude-sonnet-4-5', messages: [{ role: 'user', content: 'mail me at ada@example.com' }] });
assert.equal(again.choices[0].message.content, answer.choices[0].message.content);
await translated.close();
assert.deepEqual(cross.map((record) => record.cache?.status), ['miss', 'hit']);
assert.ok(!JSON.stringify(cross).includes('ada@example.com'), 'the email reached a record');
// The same through sluice/node's transport (issue 15): a call and a stream, pools closed by close().
const viaNode = createSluice({ fetch: nodeTransport() });
const nodeRecords = [];
viaNode.on('request:end', ({ record }) => nodeRecords.push(record));
const nodeClient = new OpenAI({ baseURL: process.env.MOCK_URL, apiKey: 'k', fetch: viaNode.fetch, maxRetries: 0 });
const viaNodeAnswer = await nodeClient.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi from sluice/node' }] });
assert.match(viaNodeAnswer.choices[0].message.content, /hi from sluice\/node/);
let viaNodeText = '';
for await (const chunk of await nodeClient.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'streamed via node' }] })) viaNodeText += chunk.choices[0]?.delta?.content ?? '';
assert.match(viaNodeText, /streamed via node/);
await viaNode.close();
assert.deepEqual(nodeRecords.map((record) => record.outcome), ['completed', 'completed']);
console.log('ESM ok:', records[0].model, records[0].costUsd, '| translated:', cross[0].provider, cross[0].costUsd);
