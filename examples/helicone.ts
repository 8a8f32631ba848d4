/**
 * An app written for Helicone, unchanged but for `fetch`: its Helicone headers (user, session,
 * properties, cache, retries) are read by Sluice and never reach the provider. A Helicone AI Gateway
 * config is imported too, and its router URL keeps working. Runs against the mock provider; no key,
 * no network. Run: node --import tsx examples/helicone.ts
 */
import OpenAI from 'openai';
import { createSluice, type CallRecord } from '../src/index.js';
import { fromHeliconeConfig } from '../src/helicone/index.js';
import { cache } from '../src/plugins/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider();
const sluice = createSluice({ compat: { helicone: true }, use: [cache({ ttl: '10m' })] });
const records: CallRecord[] = [];
sluice.on('request:end', ({ record }) => records.push(record));

// The client as a Helicone app builds it, with `fetch` added and baseURL back to the provider's (here, the mock).
const openai = new OpenAI({
  baseURL: mock.baseURL,
  apiKey: 'sk-provider-key',
  fetch: sluice.fetch,
  maxRetries: 0,
  defaultHeaders: { 'Helicone-Auth': 'Bearer sk-helicone-key', 'Helicone-User-Id': 'alice', 'Helicone-Property-App': 'mobile' },
});
const perCall = { headers: { 'Helicone-Session-Id': 'plan-42', 'Helicone-Session-Path': '/outline', 'Helicone-Cache-Enabled': 'true', 'Helicone-Retry-Enabled': 'true', 'Helicone-Retry-Min-Timeout': '10' } };
const question = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Outline a course on sluices.' }] };

mock.script({ kind: 'error', status: 503 }, { kind: 'reply', content: 'Week 1: gates. Week 2: locks.' });
for (let call = 1; call <= 2; call++) {
  const { data, response } = await openai.chat.completions.create(question, perCall).withResponse();
  await sluice.flush();
  const record = records.at(-1)!;
  console.log(`call ${call}: "${data.choices[0]?.message.content}" helicone-cache: ${response.headers.get('helicone-cache')}, helicone-id: ${response.headers.get('helicone-id')}`);
  console.log(`  record: user ${record.user}, session ${record.session}, metadata ${JSON.stringify(record.metadata)}, attempts ${record.attempts.map((attempt) => attempt.status).join(', ') || 'none (cache hit)'}`);
}
const leaked = mock.requests.flatMap((request) => Object.keys(request.headers).filter((name) => name.startsWith('helicone-')));
console.log(`helicone-* headers that reached the provider: ${leaked.length === 0 ? 'none' : leaked.join(', ')}`);
await sluice.close();

// A Helicone AI Gateway config, imported; the SDK still points at the gateway's router URL.
const { config, warnings } = fromHeliconeConfig(`
providers:
  openai: { base-url: "${mock.url}" }
  anthropic: { base-url: "${mock.url}" }
routers:
  prod:
    load-balance:
      chat: { strategy: latency, providers: [openai, anthropic] }
    model-mappings: { gpt-4o-mini: anthropic/claude-3-5-haiku }
    retries: { strategy: exponential, min-delay: 10ms, max-delay: 20ms, max-retries: 1 }
telemetry: { level: info }
`);
console.log(`\nimported; warnings:\n  ${warnings.join('\n  ')}`);
const gateway = createSluice({ ...config, env: { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-anthropic' } });
gateway.on('request:end', ({ record }) => records.push(record));
const routed = new OpenAI({ baseURL: `${mock.url}/router/prod`, apiKey: 'unused', fetch: gateway.fetch, maxRetries: 0 });
mock.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'reply', content: 'from the other provider' });
const answer = await routed.chat.completions.create(question);
await gateway.flush();
const record = records.at(-1)!;
console.log(`router prod: "${answer.choices[0]?.message.content}"; attempts: ${record.attempts.map((attempt) => `${attempt.provider} ${attempt.status}`).join(' -> ')}`);
await gateway.close();
await mock.close();
