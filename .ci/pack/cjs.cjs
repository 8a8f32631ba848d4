const assert = require('node:assert/strict');
const { default: OpenAI } = require('openai');
const { createSluice, SluiceConfigError } = require('sluice');
const { consoleExporter } = require('sluice/exporters');
const { jsonlExporter } = require('sluice/exporters/node');

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
  console.log('CommonJS ok:', records[0].model, records[0].costUsd);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
