import { BadRequestError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { pii, type PiiOptions } from '../../src/plugins/pii/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, nextRecord, rechunkingFetch, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const EMAIL = 'jane.doe@example.com';
const model = 'openai/gpt-4o-mini';

function setup(options: PiiOptions = {}, fetch?: typeof globalThis.fetch) {
  const sluice = createSluice({
    providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } },
    use: [pii(options)],
    ...(fetch === undefined ? {} : { fetch }),
  });
  return { sluice, client: clientFor(sluice, mock.baseURL) };
}

describe('pii() through the OpenAI SDK', () => {
  it('blocks with a 400 the SDK raises as BadRequestError naming the rule; the provider receives nothing', async () => {
    const { sluice, client } = setup({ rules: { 'credit-card': 'block' } });
    const ended = nextRecord(sluice);
    const error = await rejection(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'charge 4242 4242 4242 4242 please' }] }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('credit-card in messages[0].content');
    expect((error as BadRequestError).message).not.toContain('4242');
    expect(mock.requests).toHaveLength(0);
    const record = await ended;
    expect(record.guard).toEqual([{ rule: 'credit-card', action: 'block', count: 1 }]);
    expect(record.error?.class).toBe('sluice_pii_blocked');
    expect(record.requestBody).not.toContain('4242');
  });

  it('redacts the request and restores the JSON answer', async () => {
    const { sluice, client } = setup();
    const matches = collect(sluice, 'guard:match');
    const ended = nextRecord(sluice);
    mock.script({ kind: 'reply', content: 'Sure, I will email <EMAIL_1> now.' });
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Please email ${EMAIL} the invoice.` }] });
    expect(completion.choices[0]!.message.content).toBe(`Sure, I will email ${EMAIL} now.`);
    expect(mock.requests[0]!.bodyText).toContain('Please email <EMAIL_1> the invoice.');
    expect(mock.requests[0]!.bodyText).not.toContain(EMAIL);
    const record = await ended;
    expect(record.requestBody).toContain('<EMAIL_1>');
    expect(record.requestBody).not.toContain(EMAIL);
    expect(record.responseBody).toContain('<EMAIL_1>');
    expect(record.responseBody).not.toContain(EMAIL);
    expect(record.guard).toEqual([{ rule: 'email', action: 'redact', count: 1 }]);
    expect(matches.map(({ rule, action, count }) => ({ rule, action, count }))).toEqual([{ rule: 'email', action: 'redact', count: 1 }]);
    expect(JSON.stringify(matches)).not.toContain(EMAIL);
  });

  it('restores a streamed answer whose placeholder is split across deltas and network chunks', async () => {
    // Seven-byte network chunks cut events, deltas and placeholders at arbitrary places.
    const { sluice, client } = setup({}, rechunkingFetch(7));
    const ended = nextRecord(sluice);
    mock.script({ kind: 'reply', content: 'Sure, I will email <EMAIL_1> now.' });
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: `Please email ${EMAIL} the invoice.` }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Sure, I will email ${EMAIL} now.`);
    expect(mock.requests[0]!.bodyText).not.toContain(EMAIL);
    const record = await ended;
    expect(record.outcome).toBe('completed');
    expect(record.requestBody).not.toContain(EMAIL);
    expect(record.responseBody).not.toContain(EMAIL);
  });

  it('restores a placeholder the provider split across two SSE events', async () => {
    const { client } = setup();
    const chunk = (delta: object, finish: string | null): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o-mini', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    mock.script({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      body: [
        chunk({ role: 'assistant', content: '' }, null),
        chunk({ content: 'Sure, I will email <EMA' }, null),
        chunk({ content: 'IL_1> now.' }, null),
        chunk({}, 'stop'),
        'data: [DONE]\n\n',
      ],
    });
    const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: `Please email ${EMAIL}.` }] });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
    expect(deltas.join('')).toBe(`Sure, I will email ${EMAIL} now.`);
    // The held prefix moved into the next delta: no delta carries a broken placeholder.
    expect(deltas.some((delta) => delta.includes('<EMA'))).toBe(false);
  });

  it('restores what the provider echoes back by default', async () => {
    const { client } = setup();
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `I am ${EMAIL}, call +1 415 555 2671` }] });
    expect(completion.choices[0]!.message.content).toBe(`Echo: I am ${EMAIL}, call +1 415 555 2671`);
    expect(mock.requests[0]!.bodyText).toContain('I am <EMAIL_1>, call <PHONE_1>');
  });

  it('masks without restoring', async () => {
    const { client } = setup({ mode: 'mask' });
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `I am ${EMAIL}` }] });
    expect(completion.choices[0]!.message.content).toBe('Echo: I am j***@e***.com');
  });
});
