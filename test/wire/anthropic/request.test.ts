import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../../src/wire/chat/types.js';
import type { OutboundOptions, Translated } from '../../../src/wire/codec.js';
import {
  JSON_OBJECT_INSTRUCTION,
  budgetForEffort,
  effortForBudget,
  readAnthropicRequest,
  writeAnthropicRequest,
} from '../../../src/wire/anthropic/request.js';
import type { AnthropicRequest } from '../../../src/wire/anthropic/types.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const TARGET: OutboundOptions = { model: 'claude-sonnet-4-5', provider: 'claude', defaultMaxTokens: 4096 };

function value<T>(result: Translated<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.status}: ${result.error.message}`);
  return result.value;
}

function failure<T>(result: Translated<T>): { status: number; message: string; param?: string } {
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

const read = (body: unknown): ChatRequest => value(readAnthropicRequest(body));
const write = (request: ChatRequest, options: OutboundOptions = TARGET): AnthropicRequest => value(writeAnthropicRequest(request, options));
const minimal = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
  ...extra,
});

describe('readAnthropicRequest (Anthropic SDK -> pivot)', () => {
  it('puts system blocks first as text parts, keeps turns, sampling, stop sequences and the user id', () => {
    const request = read(fixture('request-multiturn.json'));
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      max_completion_tokens: 1024,
      messages: [
        {
          role: 'system',
          content: [
            {
              type: 'text',
              text: 'You are an AI assistant tasked with analyzing literary works. Your goal is to provide insightful commentary on themes, characters, and writing style.\n',
            },
            // cache_control is a caching hint and is dropped.
            { type: 'text', text: "<the entire contents of 'Pride and Prejudice'>" },
          ],
        },
        { role: 'user', content: 'Hello, Claude' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Can you describe LLMs to me?' },
      ],
      stop: ['\n\nHuman:'],
      temperature: 0.7,
      top_p: 0.7,
      top_k: 5,
      user: '13803d75-b4b5-4c3e-b2a2-6f21399b021b',
    });
  });

  it('turns base64 images into data: URLs and keeps URL images as they are', () => {
    const request = read(fixture('request-vision.json'));
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg...' } },
          { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg' } },
          { type: 'text', text: 'Describe this image.' },
        ],
      },
    ]);
  });

  it('maps tools, tool_choice any, disable_parallel_tool_use, tool calls and results, and asks for stream usage', () => {
    const request = read(fixture('request-tools.json'));
    expect(request.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the current weather in a given location',
          parameters: (fixture('request-tools.json')['tools'] as Array<Record<string, unknown>>)[0]?.['input_schema'],
        },
      },
    ]);
    expect(request.tool_choice).toBe('required');
    expect(request.parallel_tool_calls).toBe(false);
    expect(request.stream).toBe(true);
    expect(request.stream_options).toEqual({ include_usage: true });
    expect(request.messages).toEqual([
      { role: 'user', content: "What's the weather like in San Francisco?" },
      {
        role: 'assistant',
        content: "I'll check the current weather in San Francisco for you.",
        tool_calls: [
          {
            id: 'toolu_01A09q90qw90lq917835lq9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' },
    ]);
  });

  it('splits parallel tool results into tool messages in order, text blocks joined, errors left as they say', () => {
    const request = read(fixture('request-parallel-tools.json'));
    const assistant = request.messages[1] as Extract<ChatMessage, { role: 'assistant' }>;
    expect(assistant.tool_calls?.map((call) => [call.id, call.function.name, call.function.arguments])).toEqual([
      ['toolu_01', 'get_weather', '{"location":"San Francisco, CA"}'],
      ['toolu_02', 'get_weather', '{"location":"New York, NY"}'],
      ['toolu_03', 'get_time', '{"timezone":"America/Los_Angeles"}'],
      ['toolu_04', 'get_time', '{"timezone":"America/New_York"}'],
    ]);
    expect(request.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_01', content: 'San Francisco: 68°F, partly cloudy' },
      { role: 'tool', tool_call_id: 'toolu_02', content: 'New York: 45°F, clear skies' },
      { role: 'tool', tool_call_id: 'toolu_03', content: 'San Francisco time: 2:30 PM PST' },
      // is_error: the text already says so, so it is not prefixed twice.
      { role: 'tool', tool_call_id: 'toolu_04', content: 'Error: Command timed out after 30 seconds' },
    ]);
  });

  it('prefixes a failed tool result that does not say it failed', () => {
    const request = read(
      minimal({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], is_error: true }] },
        ],
      }),
    );
    expect(request.messages[1]).toEqual({ role: 'tool', tool_call_id: 't1', content: 'Error: a\nb' });
  });

  it('keeps text written before a tool result before it, and text after it after it', () => {
    const request = read(
      minimal({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'before' },
              { type: 'tool_result', tool_use_id: 't1', content: 'done' },
              { type: 'text', text: 'after' },
            ],
          },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'before' }] },
      { role: 'tool', tool_call_id: 't1', content: 'done' },
      { role: 'user', content: [{ type: 'text', text: 'after' }] },
    ]);
  });

  it('maps the thinking budget to the nearest effort, thinking blocks to reasoning_content, and drops redacted thinking', () => {
    const request = read(fixture('request-thinking.json'));
    expect(request.reasoning_effort).toBe('medium');
    expect(request.max_completion_tokens).toBe(20000);
    expect(request.messages[1]).toEqual({ role: 'assistant', content: '27 * 453 = 12,231', reasoning_content: 'Let me analyze this step by step...' });
  });

  it('maps output_config.format to a json_schema response format', () => {
    const request = read(fixture('request-json-schema.json'));
    const format = (fixture('request-json-schema.json')['output_config'] as { format: { schema: unknown } }).format;
    expect(request.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema: format.schema } });
  });

  it('keeps system turns found inside messages in place, and base64 PDFs as file parts', () => {
    const request = read(
      minimal({
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER...' }, title: 'a.pdf' }],
          },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBER...' } }] },
    ]);
  });

  it.each([
    ['missing max_tokens', { model: 'm', messages: [] }, 'max_tokens'],
    ['max_tokens 0', minimal({ max_tokens: 0 }), 'max_tokens'],
    ['missing messages', { model: 'm', max_tokens: 1 }, 'messages'],
    ['a string tool schema', minimal({ tools: [{ name: 'f', input_schema: 'object' }] }), 'tools[0].input_schema'],
    ['an array tool schema', minimal({ tools: [{ name: 'f', input_schema: { type: 'array' } }] }), 'tools[0].input_schema'],
    ['a server tool', minimal({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] }), 'tools[0].type'],
    ['MCP servers', minimal({ mcp_servers: [{ type: 'url', url: 'https://example.com/sse', name: 'x' }] }), 'mcp_servers'],
    [
      'a URL document',
      minimal({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } }] }] }),
      'messages[0].content[0].source',
    ],
    ['a Files API image', minimal({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }), 'messages[0].content[0].source.type'],
    ['a search_result block', minimal({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }), 'messages[0].content[0]'],
    [
      'a server_tool_use block',
      minimal({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }),
      'messages[0].content[0]',
    ],
    [
      'an image in a tool result',
      minimal({
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }],
      }),
      'messages[0].content[0].content[0]',
    ],
    ['an unknown tool_choice', minimal({ tool_choice: { type: 'sometimes' } }), 'tool_choice.type'],
  ])('refuses %s with a 400 naming the field', (_name, body, param) => {
    const error = failure(readAnthropicRequest(body));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('says the Anthropic API itself requires max_tokens', () => {
    expect(failure(readAnthropicRequest({ model: 'm', messages: [] })).message).toMatch(/max_tokens is required/);
  });

  it('names the block type it cannot carry', () => {
    const body = minimal({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] });
    expect(failure(readAnthropicRequest(body)).message).toContain("'search_result'");
  });
});

describe('effortForBudget and budgetForEffort', () => {
  it.each([
    [1024, 'minimal'],
    [1500, 'minimal'],
    [1536, 'minimal'],
    [2048, 'low'],
    [5000, 'low'],
    [5200, 'medium'],
    [16000, 'medium'],
    [16500, 'high'],
    [64000, 'high'],
  ])('budget %i is nearest to %s', (budget, effort) => {
    expect(effortForBudget(budget)).toBe(effort);
  });

  it('maps efforts to the table, none to no thinking, and refuses unknown ones', () => {
    expect([budgetForEffort('minimal'), budgetForEffort('low'), budgetForEffort('medium'), budgetForEffort('high')]).toEqual([1024, 2048, 8192, 24576]);
    expect(budgetForEffort('none')).toBeNull();
    expect(budgetForEffort('xhigh')).toBe(24576);
    expect(budgetForEffort('extreme')).toBeUndefined();
    expect(budgetForEffort('toString')).toBeUndefined();
  });
});

describe('writeAnthropicRequest (pivot -> Anthropic provider)', () => {
  it('moves system and developer messages to system, merges tool results into one user turn, and maps tools', () => {
    const out = write(fixture('openai-request-tools.json') as ChatRequest);
    expect(out).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: [
        { type: 'text', text: 'You are a weather assistant.' },
        { type: 'text', text: 'Answer in one sentence.' },
      ],
      messages: [
        { role: 'user', content: 'What is the weather in Oslo and Bergen?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_7Kq', name: 'get_weather', input: { city: 'Oslo' } },
            { type: 'tool_use', id: 'call_8Lr', name: 'get_weather', input: { city: 'Bergen' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_7Kq', content: '{"temp_c":4}' },
            { type: 'tool_result', tool_use_id: 'call_8Lr', content: '{"temp_c":7}' },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
        // No parameters: an empty object schema, which Anthropic requires.
        { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      // 1.5 is clamped to Anthropic's maximum.
      temperature: 1,
      top_p: 0.9,
      metadata: { user_id: 'user-1234' },
      stream: true,
    });
  });

  it('writes data: URLs as base64 sources and https URLs as url sources, taking max_tokens', () => {
    const out = write(fixture('openai-request-vision.json') as ChatRequest);
    expect(out.max_tokens).toBe(300);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe this' },
          { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR...' } },
        ],
      },
    ]);
  });

  it('writes json_schema as output_config.format and reasoning_effort as a thinking budget, raising max_tokens above it', () => {
    const request = fixture('openai-request-json-schema.json') as ChatRequest;
    const out = write(request);
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema: (request.response_format as { json_schema: { schema: unknown } }).json_schema.schema } });
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(out.max_tokens).toBe(1000 + 2048);
    expect(out.system).toBeUndefined();
  });

  it('keeps max_tokens when it already exceeds the thinking budget, and sends no thinking for effort none', () => {
    const base: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'Hi' }], max_completion_tokens: 30000 };
    expect(write({ ...base, reasoning_effort: 'high' })).toMatchObject({ max_tokens: 30000, thinking: { type: 'enabled', budget_tokens: 24576 } });
    expect(write({ ...base, reasoning_effort: 'none' }).thinking).toBeUndefined();
  });

  it('turns json_object into a system instruction after the caller\'s system prompt', () => {
    const out = write({
      model: 'x',
      messages: [
        { role: 'system', content: 'You extract data.' },
        { role: 'user', content: 'Alice is 30.' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(out.system).toEqual([
      { type: 'text', text: 'You extract data.' },
      { type: 'text', text: JSON_OBJECT_INSTRUCTION },
    ]);
  });

  it('uses the default max_tokens when the caller gave none, and drops hints Anthropic has no field for', () => {
    const out = write({
      model: 'x',
      messages: [{ role: 'user', content: 'Hi' }],
      seed: 1,
      frequency_penalty: 0.5,
      presence_penalty: 0.5,
      store: true,
      metadata: { a: 'b' },
      service_tier: 'flex',
      stream_options: { include_usage: true },
      tool_choice: 'none',
    });
    expect(out).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('merges a user message that follows tool results into the same turn, results first', () => {
    const out = write({
      model: 'x',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'sunny' }] },
        { role: 'user', content: 'Thanks, and tomorrow?' },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'c1', name: 'w', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: [{ type: 'text', text: 'sunny' }] },
          { type: 'text', text: 'Thanks, and tomorrow?' },
        ],
      },
    ]);
  });

  it('drops empty assistant turns and reasoning_content (Anthropic only accepts thinking it signed)', () => {
    const out = write({
      model: 'x',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: null, reasoning_content: 'hmm' },
        { role: 'user', content: 'b' },
      ],
    });
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });

  it.each<[string, ChatRequest, string, RegExp]>([
    ['n > 1', { model: 'x', messages: [], n: 2 }, 'n', /^provider 'claude' \(anthropic\) cannot return several choices \(n\)$/],
    [
      'a non-object tool schema',
      { model: 'x', messages: [], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] },
      'tools[0].function.parameters',
      /provider 'claude' \(anthropic\) requires a JSON object schema/,
    ],
    ['logprobs', { model: 'x', messages: [], logprobs: true }, 'logprobs', /log probabilities/],
    ['audio output', { model: 'x', messages: [], modalities: ['text', 'audio'] }, 'modalities', /audio/],
    ['predicted outputs', { model: 'x', messages: [], prediction: { type: 'content', content: 'x' } }, 'prediction', /prediction/],
    [
      'audio input',
      { model: 'x', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] },
      'messages[0].content[0]',
      /audio input/,
    ],
    [
      'an uploaded file id',
      { model: 'x', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] },
      'messages[0].content[0]',
      /inline PDF/,
    ],
    [
      'tool arguments that are not JSON',
      { model: 'x', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }] },
      'messages[0].tool_calls[0].function.arguments',
      /not valid JSON/,
    ],
    ['an unknown reasoning effort', { model: 'x', messages: [], reasoning_effort: 'extreme' }, 'reasoning_effort', /reasoning_effort 'extreme'/],
    ['an image URL that is neither http nor data', { model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] }, 'messages[0].content[0].image_url.url', /http/],
  ])('refuses %s with a 400 naming the field', (_name, request, param, message) => {
    const error = failure(writeAnthropicRequest(request, TARGET));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('reads a PDF file part as a document block', () => {
    const out = write({ model: 'x', messages: [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBER...' } }] }] });
    expect(out.messages[0]?.content).toEqual([{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER...' }, title: 'a.pdf' }]);
  });
});

describe('Anthropic fixtures survive pivot -> Anthropic', () => {
  it.each(['request-multiturn.json', 'request-tools.json', 'request-parallel-tools.json', 'request-vision.json', 'request-json-schema.json'])(
    '%s keeps its turns, tools and settings',
    (name) => {
      const original = fixture(name);
      const out = write(read(original), { ...TARGET, model: original['model'] as string });
      // Only hints (cache_control) and the is_error flag (now in the text) are allowed to differ.
      const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'cache_control' || key === 'is_error' ? undefined : inner)));
      const expected = strip(original) as Record<string, unknown>;
      if (name === 'request-parallel-tools.json') {
        // A tool result given as text blocks comes back as one string.
        const turn = (expected['messages'] as Array<{ content: Array<Record<string, unknown>> }>)[2];
        const last = turn?.content[3];
        if (last !== undefined) last['content'] = 'Error: Command timed out after 30 seconds';
      }
      expect(strip(out)).toEqual(expected);
    },
  );
});

// --- property: an OpenAI request survives OpenAI -> Anthropic -> OpenAI in every field both share ----

const text = fc.string({ minLength: 1, maxLength: 20 });
const toolName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,15}$/);
const jsonObject = fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), { maxKeys: 3 });

/** One user turn and the assistant's answer: text, or tool calls, their results and a closing text. */
const round = fc.record({
  user: text,
  reply: fc.oneof(
    fc.record({ kind: fc.constant('text' as const), text }),
    fc.record({
      kind: fc.constant('tools' as const),
      preface: fc.option(text, { nil: undefined }),
      calls: fc.array(fc.record({ name: toolName, args: jsonObject, result: text }), { minLength: 1, maxLength: 3 }),
      after: text,
    }),
  ),
});

const openaiRequest = fc
  .record({
    system: fc.option(text, { nil: undefined }),
    rounds: fc.array(round, { minLength: 1, maxLength: 4 }),
    tools: fc.uniqueArray(fc.record({ name: toolName, description: fc.option(text, { nil: undefined }) }), { selector: (tool) => tool.name, maxLength: 3 }),
    stop: fc.option(fc.array(text, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    maxTokens: fc.integer({ min: 1, max: 100_000 }),
  })
  .map(({ system, rounds, tools, stop, temperature, maxTokens }) => {
    const messages: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
    let callId = 0;
    for (const { user, reply } of rounds) {
      messages.push({ role: 'user', content: user });
      if (reply.kind === 'text') {
        messages.push({ role: 'assistant', content: reply.text });
        continue;
      }
      const calls = reply.calls.map((call) => ({ ...call, id: `call_${callId++}` }));
      messages.push({
        role: 'assistant',
        content: reply.preface ?? null,
        tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } })),
      });
      for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: call.result });
      messages.push({ role: 'assistant', content: reply.after });
    }
    const request: ChatRequest = { model: 'gpt-4o', messages, max_completion_tokens: maxTokens };
    if (tools.length > 0) {
      request.tools = tools.map((tool) => ({
        type: 'function',
        function: {
          name: tool.name,
          parameters: { type: 'object', properties: { q: { type: 'string' } } },
          ...(tool.description === undefined ? {} : { description: tool.description }),
        },
      }));
    }
    if (stop !== undefined) request.stop = stop;
    if (temperature !== undefined) request.temperature = temperature;
    return request;
  });

/** The fields OpenAI and Anthropic share, in comparable form. */
function shared(request: ChatRequest): unknown {
  const textOf = (content: unknown): string | null =>
    typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : null;
  return {
    messages: request.messages.map((message) => ({
      role: message.role,
      text: textOf(message.content),
      calls: message.role === 'assistant' ? message.tool_calls?.map((call) => [call.id, call.function.name, JSON.parse(call.function.arguments) as unknown]) : undefined,
      callId: message.role === 'tool' ? message.tool_call_id : undefined,
    })),
    tools: request.tools?.map((tool) => tool.function),
    stop: request.stop,
    temperature: request.temperature,
    maxTokens: request.max_completion_tokens ?? request.max_tokens,
  };
}

describe('round trip', () => {
  it('an OpenAI request written for Anthropic and read back keeps messages, roles, tools, tool calls, stop, temperature and max tokens', () => {
    fc.assert(
      fc.property(openaiRequest, (request) => {
        const anthropic = write(request);
        const back = read(JSON.parse(JSON.stringify(anthropic)));
        expect(shared(back)).toEqual(shared(request));
      }),
      { numRuns: 300 },
    );
  });
});
