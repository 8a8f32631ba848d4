const assert = require('node:assert/strict');
const { default: OpenAI } = require('openai');
const { createSluice, SluiceConfigError } = require('sluice');
const { consoleExporter } = require('sluice/exporters');
const { jsonlExporter } = require('sluice/exporters/node');
const { cache, pii } = require('sluice/plugins');
const { listProviders } = require('sluice/providers');
const { redisCacheStore } = require('sluice/stores/redis');
const { interceptGlobalFetch } = require('sluice/intercept');
const { installSluiceDispatcher } = require('sluice/undici');
const { otel } = require('sluice/otel');
const { nodeTransport } = require('sluice/node');
assert.equal(typeof otel(), 'function');
const { fromHeliconeConfig } = require('sluice/helicone');
assert.equal(fromHeliconeConfig('telemetry: { level: info }').warnings.length, 1);

// The CommonJS build loads its on-demand code with a deferred require (no import(), which Jest's
// CommonJS runtime rejects): none of it is loaded by requiring the entries, the translated call below loads it.
const onDemand = /[\\/]dist[\\/](codec|translate|router|sigv4|auth|event-stream|key-pool|deadline|connect|framing)-[\w-]+\.cjs$/;
const loadedOnDemand = () => Object.keys(require.cache).filter((path) => onDemand.test(path));
assert.deepEqual(loadedOnDemand(), []);

for (const fn of [cache, pii, redisCacheStore, interceptGlobalFetch, installSluiceDispatcher]) assert.equal(typeof fn, 'function');
assert.ok(listProviders().length > 100);

assert.equal(typeof consoleExporter, 'function');
assert.equal(typeof jsonlExporter, 'function');
assert.throws(() => createSluice({ providers: { local: { kind: 'openai', baseURL: 'nope' } } }), SluiceConfigError);

(async () => {
  const sluice = createSluice();
  const records = [];
  sluice.on('request:end', ({ record }) => records.push(record));
  const client = new OpenAI({ baseURL: process.env.MOCK_URL, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi from cjs' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.match(text, /hi from cjs/);
  await sluice.close();
  assert.equal(records.length, 1);
  assert.ok(records[0].usage.outputTokens > 0);
  // A translated stream from CommonJS: the codecs and the translation code are loaded on demand.
  const origin = process.env.MOCK_URL.replace(/\/v1$/, '');
  const translated = createSluice({ providers: { claude: { kind: 'anthropic', baseURL: origin, apiKey: 'k' } } });
  const cross = [];
  translated.on('request:end', ({ record }) => cross.push(record));
  const claude = new OpenAI({ apiKey: 'k', fetch: translated.fetch, maxRetries: 0 });
  const streamed = await claude.chat.completions.create({ model: 'claude/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'cjs to claude' }] });
  let claudeText = '';
  for await (const chunk of streamed) claudeText += chunk.choices[0]?.delta?.content ?? '';
  assert.match(claudeText, /cjs to claude/);
  await translated.close();
  assert.equal(cross[0].outcome, 'completed');
  assert.ok(loadedOnDemand().some((path) => /[\\/]codec-/.test(path)), 'the Anthropic codec was not loaded with require');
  // sluice/node's transport from CommonJS.
  const viaNode = createSluice({ fetch: nodeTransport() });
  const viaNodeAnswer = await new OpenAI({ baseURL: process.env.MOCK_URL, apiKey: 'k', fetch: viaNode.fetch, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cjs via node' }] });
  assert.match(viaNodeAnswer.choices[0].message.content, /cjs via node/);
  await viaNode.close();
  console.log('CommonJS ok:', records[0].model, records[0].costUsd, '| translated stream:', cross[0].provider, cross[0].usage.outputTokens);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
