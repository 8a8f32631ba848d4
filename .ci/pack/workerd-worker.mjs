// A Cloudflare Worker (bundled with esbuild, run by `workerd test`): the core entry wraps the OpenAI
// SDK against the mock provider (started by Node on 127.0.0.1), streamed and not, and translates a
// call to an Anthropic-format provider. No Node compatibility flag: the core uses web APIs only.
import OpenAI from 'openai';
import { createSluice } from 'sluice';

const check = (ok, message) => {
  if (!ok) throw new Error(message);
};

export default {
  async test(_controller, env) {
    const base = env.MOCK_URL;
    check(typeof base === 'string' && base.startsWith('http://127.0.0.1:'), `MOCK_URL is ${base}`);
    const sluice = createSluice();
    const records = [];
    sluice.on('request:end', ({ record }) => records.push(record));
    const client = new OpenAI({ baseURL: base, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi from workerd' }] });
    check(completion.choices[0].message.content.includes('hi from workerd'), 'unexpected completion');
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream in workerd' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    check(text.includes('stream in workerd'), `unexpected stream text: ${text}`);
    await sluice.close();
    check(records.length === 2, `expected 2 records, got ${records.length}`);
    check(records[1].usage.outputTokens > 0, 'no usage on the streamed record');
    check(typeof records[0].costUsd === 'number', 'no cost: the price table did not load');

    const translated = createSluice({ providers: { claude: { kind: 'anthropic', baseURL: base.replace(/\/v1$/, ''), apiKey: 'k' } } });
    const cross = [];
    translated.on('request:end', ({ record }) => cross.push(record));
    const claude = new OpenAI({ apiKey: 'k', fetch: translated.fetch, maxRetries: 0 });
    const crossStream = await claude.chat.completions.create({ model: 'claude/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'workerd to claude' }] });
    let crossText = '';
    for await (const chunk of crossStream) crossText += chunk.choices[0]?.delta?.content ?? '';
    check(crossText.includes('workerd to claude'), `unexpected translated stream text: ${crossText}`);
    await translated.close();
    check(cross[0]?.provider === 'claude' && cross[0].outcome === 'completed', `translated record: ${JSON.stringify(cross[0])}`);
    console.log(`workerd ok: ${[...records, ...cross].map((record) => `${record.provider ?? ''} ${record.model} ${record.outcome} ${record.usage.inputTokens}/${record.usage.outputTokens}`).join(', ')}`);
  },
};
