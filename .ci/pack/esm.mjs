import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createSluice, isSluiceError } from 'sluice';
import { consoleExporter } from 'sluice/exporters';
import { jsonlExporter } from 'sluice/exporters/node';
import { makeContext, fakeNext } from 'sluice/testing';

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
console.log('ESM ok:', records[0].model, records[0].costUsd);
