// The calls both Jest test files make (one loads Sluice with require, the other with import): a
// zero-config call (its cost needs the price table, loaded on demand), an alias and a router over
// two providers, one of them Anthropic-format (translation, loaded on demand), streamed and not.
const assert = require('node:assert/strict');

/**
 * Runs the calls through `createSluice` and the OpenAI SDK against the mock provider at MOCK_URL.
 * @param {{ OpenAI: typeof import('openai').default, createSluice: typeof import('sluice').createSluice }} modules
 */
async function runCalls({ OpenAI, createSluice }) {
  const base = process.env.MOCK_URL;
  assert.ok(base, 'MOCK_URL is not set');
  const origin = base.replace(/\/v1$/, '');

  const plain = createSluice();
  const plainRecords = [];
  plain.on('request:end', ({ record }) => plainRecords.push(record));
  const direct = new OpenAI({ baseURL: base, apiKey: 'k', fetch: plain.fetch, maxRetries: 0 });
  const hello = await direct.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi from jest' }] });
  assert.match(hello.choices[0].message.content, /hi from jest/);
  await plain.close();
  assert.equal(typeof plainRecords[0].costUsd, 'number', 'zero config: no cost (the price table did not load)');

  const sluice = createSluice({
    providers: { local: { kind: 'openai', baseURL: base, apiKey: 'k' }, claude: { kind: 'anthropic', baseURL: origin, apiKey: 'k' } },
    models: {
      fast: { target: 'local/gpt-4o-mini' },
      smart: { strategy: 'priority', targets: ['claude/claude-sonnet-4-5', 'local/gpt-4o-mini'] },
    },
  });
  const records = [];
  sluice.on('request:end', ({ record }) => records.push(record));
  const client = new OpenAI({ apiKey: 'k', fetch: sluice.fetch, maxRetries: 0 });
  const fast = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'alias call' }] });
  assert.match(fast.choices[0].message.content, /alias call/);
  const smart = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'routed to claude' }] });
  assert.match(smart.choices[0].message.content, /routed to claude/);
  const stream = await client.chat.completions.create({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'streamed to claude' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.match(text, /streamed to claude/);
  await sluice.close();
  assert.deepEqual(records.map((record) => [record.provider, record.outcome]), [['local', 'completed'], ['claude', 'completed'], ['claude', 'completed']]);
  assert.ok(records.every((record) => typeof record.costUsd === 'number'), 'a routed call has no cost');
  return { plain: plainRecords, routed: records };
}

module.exports = { runCalls };
