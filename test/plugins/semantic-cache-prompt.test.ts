import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dialect, Operation } from '../../src/events/record.js';
import { splitPrompt } from '../../src/plugins/semantic-cache/prompt.js';
import { makeContext } from '../../src/testing/harness.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

function split(body: unknown, options: { dialect?: Dialect; operation?: Operation; maxChars?: number; embedder?: string } = {}) {
  const ctx = makeContext({ body, dialect: options.dialect ?? 'openai', operation: options.operation ?? 'chat' });
  return splitPrompt(ctx, ctx.body, options.embedder ?? 'e1', options.maxChars ?? 8000);
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content },
  ],
  ...extra,
});

describe('the text that is embedded', () => {
  it('is every text of an OpenAI chat, one line per text with its role', () => {
    expect(split(chat('What is the capital of France?'))?.text).toBe('system: Be brief.\nuser: What is the capital of France?');
  });

  it('reads the Responses API instructions and input', () => {
    const body = { model: 'gpt-4o-mini', instructions: 'Be brief.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] }] };
    expect(split(body, { operation: 'responses' })?.text).toBe('system: Be brief.\nuser: Hello there');
  });

  it('reads Anthropic system, text blocks, tool_use inputs and tool results', () => {
    const body = { ...(fixture('anthropic/request-tools.json') as object), system: 'You are a weather bot.' };
    expect(split(body, { dialect: 'anthropic' })?.text).toBe(
      [
        'system: You are a weather bot.',
        "user: What's the weather like in San Francisco?",
        "assistant: I'll check the current weather in San Francisco for you.",
        'assistant: San Francisco, CA',
        'assistant: celsius',
        'tool: 15 degrees',
      ].join('\n'),
    );
  });

  it('reads Gemini systemInstruction, text parts, function calls and function responses', () => {
    expect(split(fixture('gemini/request-function-response.json'), { dialect: 'gemini' })?.text).toBe(
      [
        'system: I can answer your questions about the time and weather in a city.',
        'user: what is the weather in london?',
        'assistant: london',
        'tool: Today in "london" is sunny',
      ].join('\n'),
    );
  });

  it('is refused when the request has no text, or more than maxChars of it', () => {
    expect(split({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] })).toBeNull();
    expect(split(chat('x'.repeat(100)), { maxChars: 50 })).toBeNull();
    expect(split(chat('x'.repeat(10)), { maxChars: 50 })).not.toBeNull();
  });
});

describe('the exact key', () => {
  const key = (body: unknown, options?: Parameters<typeof split>[1]) => split(body, options)?.exact.key;

  it('is the same for two texts of one request shape, and ignores user, metadata and the stream flag (Chat Completions)', () => {
    const base = key(chat('What is the capital of France?'));
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(key(chat('Capital of France, please'))).toBe(base);
    expect(key(chat('Capital?', { user: 'u1', metadata: { a: '1' }, stream: true, stream_options: { include_usage: true } }))).toBe(base);
  });

  it('differs for anything but the text: model, tools, sampling, format, images, roles, embedder', () => {
    const question = 'What is the capital of France?';
    const base = key(chat(question));
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
    const image = (url: string) => ({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: [{ type: 'text', text: question }, { type: 'image_url', image_url: { url } }] }],
    });
    const others = [
      key(chat(question, { model: 'gpt-4o' })),
      key(chat(question, { tools })),
      key(chat(question, { temperature: 0.2 })),
      key(chat(question, { response_format: { type: 'json_object' } })),
      key({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }),
      key({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'assistant', content: question }] }),
      key(chat(question), { embedder: 'e2' }),
    ];
    for (const other of others) expect(other).not.toBe(base);
    expect(key(image('https://example.com/a.png'))).not.toBe(key(image('https://example.com/b.png')));
  });

  it('shares one key across shapes for chat answers, which convert, and keeps the dialect apart', () => {
    const body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };
    expect(key(body, { dialect: 'anthropic' })).toBe(key({ ...body, stream: true }, { dialect: 'anthropic' }));
    expect(key(body, { dialect: 'anthropic' })).not.toBe(key(body, { dialect: 'openai' }));
  });

  it('keeps tool-call argument names exact and their string values approximate', () => {
    const call = (args: string) => ({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }] },
      ],
    });
    expect(key(call('{"city":"Paris"}'))).toBe(key(call('{"city":"Lyon"}')));
    expect(key(call('{"city":"Paris"}'))).not.toBe(key(call('{"town":"Paris"}')));
    expect(split(call('{"city":"Paris"}'))?.text).toBe('user: Weather?\nassistant: Paris');
  });
});
