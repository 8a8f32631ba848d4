import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, ChatResponseFormat, ChatTool, ChatToolChoice } from '../../../src/wire/chat/types.js';
import type { OutboundOptions, Translated } from '../../../src/wire/codec.js';
import { FOREIGN_THOUGHT_SIGNATURE, readGeminiRequest, writeGeminiRequest } from '../../../src/wire/gemini/request.js';
import type { GeminiRequest } from '../../../src/wire/gemini/types.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/gemini/${name}`, import.meta.url), 'utf8'));
const inbound = { model: 'gemini-2.5-flash', stream: false };
const outbound: OutboundOptions = { model: 'gemini-2.5-flash', provider: 'gemini', defaultMaxTokens: 4096 };

function ok<T>(result: Translated<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

function refused<T>(result: Translated<T>): { status: number; message: string; param?: string } {
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

describe('readGeminiRequest (a Gemini SDK is the caller)', () => {
  it('reads the reference request: system, image, function call and response, tools, sampling, thinking', () => {
    const request = ok(readGeminiRequest(fixture('request-reference.json'), inbound));
    expect(request).toEqual({
      model: 'gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'Be terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Oslo?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR...' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: '{"temp_c":4}' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'auto',
      temperature: 0.7,
      top_p: 0.95,
      top_k: 40,
      max_completion_tokens: 1024,
      stop: ['END'],
      reasoning_effort: 'minimal',
    });
  });

  it('reads a recorded follow-up: parametersJsonSchema kept as is, `output` unwrapped, thought signature dropped', () => {
    const request = ok(readGeminiRequest(fixture('request-function-response.json'), { model: 'gemini-2.5-flash', stream: true }));
    expect(request.stream).toBe(true);
    expect(request.stream_options).toEqual({ include_usage: true });
    expect(request.messages).toEqual([
      { role: 'system', content: 'I can answer your questions about the time and weather in a city.' },
      { role: 'user', content: 'what is the weather in london?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"london"}' } }] },
      { role: 'tool', tool_call_id: 'call_0', content: '{"weather_summary":"Today in \\"london\\" is sunny"}' },
    ]);
    expect(request.tools?.[0]?.function.parameters).toEqual({
      additionalProperties: false,
      properties: { city: { description: 'city name', type: 'string' } },
      required: ['city'],
      type: 'object',
    });
  });

  it('turns an OpenAPI response schema into JSON Schema (lower-case types, no propertyOrdering)', () => {
    const request = ok(readGeminiRequest(fixture('request-structured-output.json'), inbound));
    expect(request.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'response',
        schema: {
          type: 'array',
          items: { type: 'object', properties: { recipeName: { type: 'string' }, ingredients: { type: 'array', items: { type: 'string' } } } },
        },
      },
    });
  });

  it('maps responseJsonSchema as is, and JSON mode without a schema to json_object', () => {
    const schema = { type: 'object', properties: { a: { type: ['string', 'null'] } } };
    const contents = [{ parts: [{ text: 'x' }] }];
    expect(ok(readGeminiRequest({ contents, generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } }, inbound)).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema },
    });
    expect(ok(readGeminiRequest({ contents, generationConfig: { responseMimeType: 'application/json' } }, inbound)).response_format).toEqual({ type: 'json_object' });
  });

  it('reads nullable OpenAPI types and integer strings', () => {
    const parameters = { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true, minimum: 1 }, tags: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: '3' } } };
    const request = ok(readGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }], tools: [{ functionDeclarations: [{ name: 'f', parameters }] }] }, inbound));
    expect(request.tools?.[0]?.function.parameters).toEqual({
      type: 'object',
      properties: { n: { type: ['integer', 'null'], minimum: 1 }, tags: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
    });
  });

  it('maps thinking budgets to the nearest effort, 0 to none, -1 to the default, and levels as they are', () => {
    const effort = (thinkingConfig: unknown): unknown =>
      ok(readGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig } }, inbound)).reasoning_effort;
    expect(effort((fixture('request-thinking.json') as { generationConfig: { thinkingConfig: unknown } }).generationConfig.thinkingConfig)).toBe('minimal');
    expect(effort({ thinkingBudget: 3000 })).toBe('low');
    expect(effort({ thinkingBudget: 6000 })).toBe('medium');
    expect(effort({ thinkingBudget: 32768 })).toBe('high');
    expect(effort({ thinkingBudget: 0 })).toBe('none');
    expect(effort({ thinkingBudget: -1 })).toBeUndefined();
    expect(effort({ thinkingLevel: 'low' })).toBe('low');
    expect(effort({ thinkingLevel: 'HIGH' })).toBe('high');
  });

  it('reads snake_case field names, as the REST docs write them', () => {
    const request = ok(readGeminiRequest(fixture('request-image-snake-case.json'), inbound));
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U' } },
          { type: 'text', text: 'Caption this image.' },
        ],
      },
    ]);
  });

  it('gives parallel calls distinct ids and answers them in order, by id when Gemini gave one', () => {
    const request = ok(
      readGeminiRequest(
        {
          contents: [
            { role: 'user', parts: [{ text: 'Weather in Oslo and Bergen, and the time?' }] },
            {
              role: 'model',
              parts: [
                { thought: true, text: 'Two cities.' },
                { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
                { functionCall: { name: 'get_weather', args: { city: 'Bergen' } } },
                { functionCall: { id: 'fc_9', name: 'get_time', args: {} } },
              ],
            },
            {
              role: 'user',
              parts: [
                { functionResponse: { id: 'fc_9', name: 'get_time', response: { result: '12:00' } } },
                { functionResponse: { name: 'get_weather', response: { result: '4°C' } } },
                { functionResponse: { name: 'get_weather', response: { result: { temp_c: 7 } } } },
                { text: 'Thanks' },
              ],
            },
          ],
        },
        inbound,
      ),
    );
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Two cities.',
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } },
          { id: 'fc_9', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'fc_9', content: '12:00' },
      { role: 'tool', tool_call_id: 'call_0', content: '4°C' },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":7}' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('maps function calling modes, and several allowed names to a narrowed tool list', () => {
    const base = {
      contents: [{ parts: [{ text: 'x' }] }],
      tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }],
    };
    const choice = (functionCallingConfig: unknown): ChatRequest => ok(readGeminiRequest({ ...base, toolConfig: { functionCallingConfig } }, inbound));
    expect(choice({ mode: 'NONE' }).tool_choice).toBe('none');
    expect(choice({ mode: 'ANY' }).tool_choice).toBe('required');
    expect(choice({ mode: 'ANY', allowedFunctionNames: ['b'] }).tool_choice).toEqual({ type: 'function', function: { name: 'b' } });
    const narrowed = choice({ mode: 'ANY', allowedFunctionNames: ['a', 'c'] });
    expect(narrowed.tool_choice).toBe('required');
    expect(narrowed.tools?.map((tool) => tool.function.name)).toEqual(['a', 'c']);
  });

  it('reads sampling settings and candidateCount > 1 as n', () => {
    const request = ok(
      readGeminiRequest(
        {
          contents: [{ parts: [{ text: 'x' }] }],
          generationConfig: { seed: 7, presencePenalty: 0.5, frequencyPenalty: -0.5, candidateCount: 2, stopSequences: ['a', 'b'] },
        },
        inbound,
      ),
    );
    expect(request).toMatchObject({ seed: 7, presence_penalty: 0.5, frequency_penalty: -0.5, n: 2, stop: ['a', 'b'] });
  });

  it('passes an https image fileData on as an image URL', () => {
    const request = ok(readGeminiRequest({ contents: [{ parts: [{ fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } }] }] }, inbound));
    expect(request.messages[0]).toEqual({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] });
  });

  it.each([
    ['a body that is not an object', 'nope', 'body'],
    ['no contents', { contents: [] }, 'contents'],
    ['an unknown role', { contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, 'contents[0].role'],
    ['a PDF inlineData', { contents: [{ parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBER' } }] }] }, 'contents[0].parts[0].inlineData'],
    ['a Files API URI', { contents: [{ parts: [{ fileData: { mimeType: 'image/png', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }] }] }, 'contents[0].parts[0].fileData'],
    ['a Cloud Storage URI', { contents: [{ parts: [{ fileData: { mimeType: 'image/png', fileUri: 'gs://bucket/cat.png' } }] }] }, 'contents[0].parts[0].fileData'],
    ['a video URL', { contents: [{ parts: [{ fileData: { mimeType: 'video/mp4', fileUri: 'https://www.youtube.com/watch?v=x' } }] }] }, 'contents[0].parts[0].fileData'],
    ['executable code', { contents: [{ parts: [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }] }] }, 'contents[0].parts[0].executableCode'],
    ['a response with no call', { contents: [{ parts: [{ functionResponse: { name: 'f', response: {} } }] }] }, 'contents[0].parts[0].functionResponse'],
    ['Google Search', { contents: [{ parts: [{ text: 'x' }] }], tools: [{ googleSearch: {} }] }, 'tools[0].googleSearch'],
    ['code execution', { contents: [{ parts: [{ text: 'x' }] }], tools: [{ codeExecution: {} }] }, 'tools[0].codeExecution'],
    ['a cached content', { contents: [{ parts: [{ text: 'x' }] }], cachedContent: 'cachedContents/abc' }, 'cachedContent'],
    ['log probabilities', { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseLogprobs: true } }, 'generationConfig.responseLogprobs'],
    ['speech output', { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseModalities: ['AUDIO'] } }, 'generationConfig.responseModalities'],
    ['enum output', { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'text/x.enum' } }, 'generationConfig.responseMimeType'],
    ['an unknown top-level field', { contents: [{ parts: [{ text: 'x' }] }], extra: 1 }, 'extra'],
  ])('refuses %s with a 400 naming the field', (_name, body, param) => {
    const error = refused(readGeminiRequest(body, inbound));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
  });

  it('refuses a URL without a model', () => {
    expect(refused(readGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }] }, { model: null, stream: false })).param).toBe('model');
  });

  it('drops safety settings and labels, which only tune Google', () => {
    const request = ok(readGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }], safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }], labels: { team: 'a' } }, inbound));
    expect(Object.keys(request)).toEqual(['model', 'messages']);
  });
});

describe('writeGeminiRequest (Gemini is the target)', () => {
  it('writes system, merged turns, images, tool calls and results, tools and settings', () => {
    const body = ok(
      writeGeminiRequest(
        {
          model: 'x',
          messages: [
            { role: 'system', content: 'Be terse.' },
            { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR...' } }] },
            { role: 'user', content: 'And Bergen?' },
            {
              role: 'assistant',
              content: null,
              reasoning_content: 'hidden',
              tool_calls: [
                { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
                { id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } },
              ],
            },
            { role: 'tool', tool_call_id: 'call_A', content: '{"temp_c":4}' },
            { role: 'tool', tool_call_id: 'call_B', content: 'sunny' },
            { role: 'developer', content: 'Answer in Norwegian.' },
          ],
          tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } } }],
          tool_choice: { type: 'function', function: { name: 'get_weather' } },
          max_tokens: 100,
          temperature: 1.5,
          top_p: 0.9,
          top_k: 20,
          stop: 'END',
          seed: 3,
          presence_penalty: 0.1,
          frequency_penalty: 0.2,
          n: 2,
          response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' } } },
          reasoning_effort: 'medium',
          parallel_tool_calls: false,
          user: 'u1',
        },
        outbound,
      ),
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Answer in Norwegian.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Oslo?' }, { inlineData: { mimeType: 'image/png', data: 'iVBOR...' } }, { text: 'And Bergen?' }] },
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: FOREIGN_THOUGHT_SIGNATURE },
            { functionCall: { name: 'get_weather', args: { city: 'Bergen' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { result: { temp_c: 4 } } } },
            { functionResponse: { name: 'get_weather', response: { result: 'sunny' } } },
          ],
        },
      ],
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: {
        maxOutputTokens: 100,
        temperature: 1.5,
        topP: 0.9,
        topK: 20,
        stopSequences: ['END'],
        seed: 3,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        candidateCount: 2,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
        thinkingConfig: { thinkingBudget: 8192 },
      },
    });
  });

  it('maps tool_choice, JSON mode and effort none', () => {
    const base: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] };
    const config = (extra: Partial<ChatRequest>): GeminiRequest => ok(writeGeminiRequest({ ...base, ...extra }, outbound));
    expect(config({ tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(config({ tool_choice: 'required' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(config({ tool_choice: 'auto' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(config({}).tools).toEqual([{ functionDeclarations: [{ name: 'f' }] }]);
    expect(config({ response_format: { type: 'json_object' } }).generationConfig).toEqual({ responseMimeType: 'application/json' });
    expect(config({ reasoning_effort: 'none' }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    expect(config({ max_completion_tokens: 50, max_tokens: 10 }).generationConfig).toEqual({ maxOutputTokens: 50 });
  });

  it('sends Files API and Cloud Storage image URIs as fileData', () => {
    const body = ok(
      writeGeminiRequest(
        {
          model: 'x',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: { url: 'gs://bucket/cat.jpg' } },
                { type: 'image_url', image_url: { url: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } },
              ],
            },
          ],
        },
        outbound,
      ),
    );
    expect(body.contents[0]?.parts).toEqual([{ fileData: { mimeType: 'image/jpeg', fileUri: 'gs://bucket/cat.jpg' } }, { fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }]);
  });

  it.each<[string, Partial<ChatRequest>, string]>([
    ['an https image URL', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }, 'messages[0].content[0].image_url.url'],
    ['more than 5 stop sequences', { stop: ['1', '2', '3', '4', '5', '6'] }, 'stop'],
    ['a tool result for an unknown call', { messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'nope', content: 'x' }] }, 'messages[1].tool_call_id'],
    [
      'arguments that are not a JSON object',
      { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] },
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['log probabilities', { logprobs: true }, 'logprobs'],
    ['only a system message', { messages: [{ role: 'system', content: 'x' }] }, 'messages'],
    ['a file by id', { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] }, 'messages[0].content[0].file'],
  ])('refuses %s with a 400 naming the field and the provider', (_name, extra, param) => {
    const error = refused(writeGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'x' }], ...extra }, outbound));
    expect(error).toMatchObject({ status: 400, param });
  });

  it('names the provider in refusals about what Gemini cannot do', () => {
    const error = refused(writeGeminiRequest({ model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, { ...outbound, provider: 'vertex-eu' }));
    expect(error.message).toContain("provider 'vertex-eu'");
  });
});

describe('OpenAI -> Gemini -> OpenAI', () => {
  const text = fc.string({ minLength: 1, maxLength: 20 });
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
  const args = fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean()), { maxKeys: 3 });

  /** A conversation in the shape every SDK produces: user, then assistant (text or calls), then results. */
  const conversation = fc
    .array(
      fc.record({
        user: text,
        reply: fc.oneof(
          text.map((content) => ({ kind: 'text' as const, content })),
          fc.array(fc.record({ name, args, result: text }), { minLength: 1, maxLength: 3 }).map((calls) => ({ kind: 'calls' as const, calls })),
        ),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((turns) => {
      const messages: ChatMessage[] = [];
      let id = 0;
      for (const turn of turns) {
        messages.push({ role: 'user', content: turn.user });
        if (turn.reply.kind === 'text') {
          messages.push({ role: 'assistant', content: turn.reply.content });
          continue;
        }
        const calls = turn.reply.calls.map((call) => ({ ...call, id: `call_${id++}` }));
        messages.push({ role: 'assistant', content: null, tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } })) });
        for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: call.result });
      }
      return messages;
    });

  it('keeps messages, tool calls and shared settings', () => {
    fc.assert(
      fc.property(
        conversation,
        fc.record(
          {
            // `+ 0` turns -0 into 0: JSON has no negative zero.
            temperature: fc.double({ min: 0, max: 2, noNaN: true }).map((value) => value + 0),
            top_p: fc.double({ min: 0, max: 1, noNaN: true }).map((value) => value + 0),
            max_completion_tokens: fc.integer({ min: 1, max: 100_000 }),
            seed: fc.integer(),
            stop: fc.array(text, { minLength: 1, maxLength: 5 }),
            presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }).map((value) => value + 0),
            frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }).map((value) => value + 0),
            reasoning_effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'),
          },
          { requiredKeys: [] },
        ),
        fc.option(fc.constant('You are terse.'), { nil: undefined }),
        fc.option(
          fc.uniqueArray(name, { minLength: 1, maxLength: 3 }).chain((names) =>
            fc.record({
              tools: fc.constant(names.map((toolName): ChatTool => ({ type: 'function', function: { name: toolName, description: `Calls ${toolName}`, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }))),
              tool_choice: fc.constantFrom<ChatToolChoice>('auto', 'none', 'required', { type: 'function', function: { name: names[0]! } }),
            }),
          ),
          { nil: undefined },
        ),
        fc.option(
          fc.oneof(
            fc.constant<ChatResponseFormat>({ type: 'json_object' }),
            fc.constant<ChatResponseFormat>({ type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object', properties: { answer: { type: 'string' } } } } }),
          ),
          { nil: undefined },
        ),
        fc.option(fc.integer({ min: 2, max: 4 }), { nil: undefined }),
        (messages, settings, system, tooling, format, n) => {
          const request: ChatRequest = { model: 'gemini-2.5-flash', messages: system === undefined ? messages : [{ role: 'system', content: system }, ...messages], ...settings };
          if (tooling !== undefined) Object.assign(request, tooling);
          if (format !== undefined) request.response_format = format;
          if (n !== undefined) request.n = n;
          const gemini = ok(writeGeminiRequest(request, outbound));
          const back = ok(readGeminiRequest(JSON.parse(JSON.stringify(gemini)), inbound));
          expect(back.messages.map((message) => message.role)).toEqual(request.messages.map((message) => message.role));
          expect(back.messages.map(contentOf)).toEqual(request.messages.map(contentOf));
          const callsOf = (list: ChatMessage[]): unknown[] =>
            list.flatMap((message) => (message.role === 'assistant' ? (message.tool_calls ?? []).map((call) => [call.function.name, JSON.parse(call.function.arguments)]) : []));
          expect(callsOf(back.messages)).toEqual(callsOf(request.messages));
          // Results follow their calls: the n-th tool message answers the n-th call.
          const callIds = back.messages.flatMap((message) => (message.role === 'assistant' ? (message.tool_calls ?? []).map((call) => call.id) : []));
          const answered = back.messages.flatMap((message) => (message.role === 'tool' ? [message.tool_call_id] : []));
          expect(answered).toEqual(callIds);
          for (const key of ['temperature', 'top_p', 'max_completion_tokens', 'seed', 'stop', 'presence_penalty', 'frequency_penalty', 'reasoning_effort', 'tools', 'tool_choice', 'response_format', 'n'] as const) {
            expect(back[key]).toEqual(request[key]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

function contentOf(message: ChatMessage): unknown {
  if (message.role === 'assistant') return message.content === null || message.content === '' ? null : message.content;
  if (message.role !== 'tool' || typeof message.content !== 'string') return message.content;
  // A JSON object result travels as data: its spacing is not kept.
  try {
    const parsed: unknown = JSON.parse(message.content);
    return typeof parsed === 'object' && parsed !== null ? JSON.stringify(parsed) : message.content;
  } catch {
    return message.content;
  }
}
