// Runs under Bun and Deno: the core entry wraps the OpenAI SDK against the mock (started by Node).
/* global Headers, Response, AbortSignal, Blob, DecompressionStream -- web platform globals of Bun and Deno */
import OpenAI from 'openai';
import { createSluice } from 'sluice';
import { httpExporter } from 'sluice/exporters';

const fail = (message) => {
  console.error(message);
  throw new Error(message);
};
const sluice = createSluice();
const records = [];
sluice.on('request:end', ({ record }) => records.push(record));
const client = new OpenAI({ baseURL: globalThis.process?.env?.MOCK_URL ?? Deno.env.get('MOCK_URL'), apiKey: 'k', fetch: sluice.fetch, maxRetries: 0 });
const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'runtime' }] });
if (!completion.choices[0].message.content.includes('runtime')) fail('unexpected completion');
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream runtime' }], stream: true });
let text = '';
for await (const chunk of stream) {
  if ('usage' in chunk) fail('the usage Sluice asked for leaked to the SDK');
  text += chunk.choices[0]?.delta?.content ?? '';
}
if (!text.includes('stream runtime')) fail('unexpected stream text');
await sluice.close();
if (records.length !== 2) fail(`expected 2 records, got ${records.length}`);
if (!(records[1].usage.outputTokens > 0)) fail('no usage on the streamed record');
// httpExporter on this runtime: the records gzipped through CompressionStream, the key only in the header.
const posted = [];
const exporter = httpExporter({
  url: 'https://collector.invalid',
  apiKey: 'ingest-key',
  minCompressBytes: 0,
  fetch: async (url, init) => {
    posted.push({ url: String(url), headers: new Headers(init.headers), body: init.body });
    return new Response('{}', { status: 200 });
  },
});
await exporter.export(records, AbortSignal.timeout(5000));
const sent = posted[0];
if (sent?.url !== 'https://collector.invalid/v1/records' || sent.headers.get('content-encoding') !== 'gzip' || sent.headers.get('authorization') !== 'Bearer ingest-key') fail('httpExporter: unexpected request');
const shipped = JSON.parse(await new Response(new Blob([sent.body]).stream().pipeThrough(new DecompressionStream('gzip'))).text());
if (shipped.records.length !== 2 || shipped.records[1].id !== records[1].id) fail('httpExporter: the body is not the batch');
// Translation loads its code on demand: an Anthropic-format provider, streamed.
const origin = (globalThis.process?.env?.MOCK_URL ?? Deno.env.get('MOCK_URL')).replace(/\/v1$/, '');
const translated = createSluice({ providers: { claude: { kind: 'anthropic', baseURL: origin, apiKey: 'k' } } });
const claude = new OpenAI({ apiKey: 'k', fetch: translated.fetch, maxRetries: 0, baseURL: 'https://api.openai.com/v1' });
const crossStream = await claude.chat.completions.create({ model: 'claude/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'to claude' }] });
let crossText = '';
for await (const chunk of crossStream) crossText += chunk.choices[0]?.delta?.content ?? '';
if (!crossText.includes('to claude')) fail(`unexpected translated stream text: ${crossText}`);
await translated.close();
console.log('runtime ok:', records.map((record) => `${record.model} ${record.outcome} ${record.usage.inputTokens}/${record.usage.outputTokens}`).join(', '));
