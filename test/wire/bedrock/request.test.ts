import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../../src/wire/chat/types.js';
import type { OutboundOptions, Translated } from '../../../src/wire/codec.js';
import { bedrockProvider } from '../../../src/wire/bedrock/codec.js';
import type { BedrockConverseRequest } from '../../../src/wire/bedrock/types.js';

const CLAUDE = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const OPTIONS: OutboundOptions = { model: CLAUDE, provider: 'aws', defaultMaxTokens: 4096 };

function write(request: Partial<ChatRequest>, options: OutboundOptions = OPTIONS): Translated<BedrockConverseRequest> {
  return bedrockProvider.writeRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...request }, options) as Translated<BedrockConverseRequest>;
}

function body(request: Partial<ChatRequest>, options?: OutboundOptions): BedrockConverseRequest {
  const written = write(request, options);
  if (!written.ok) throw new Error(written.error.message);
  return written.value;
}

function rejection(request: Partial<ChatRequest>, options?: OutboundOptions): { status: number; message: string; param?: string } {
  const written = write(request, options);
  if (written.ok) throw new Error('expected a rejection');
  return written.error;
}

describe('bedrockProvider.writeRequest', () => {
  it('writes the providers.md §5.2 example from its Chat Completions equivalent', () => {
    const fixture = JSON.parse(readFileSync(new URL('../../fixtures/bedrock/converse-request.json', import.meta.url), 'utf8')) as {
      model: string;
      openai: ChatRequest;
      bedrock: unknown;
    };
    const written = bedrockProvider.writeRequest(fixture.openai, { ...OPTIONS, model: fixture.model });
    expect(written).toEqual({ ok: true, value: fixture.bedrock });
  });

  it('is what the provider codec says it is', () => {
    expect(bedrockProvider.format).toBe('bedrock');
    expect(bedrockProvider.framing).toBe('event-stream');
  });

  it('never puts the model id in the body', () => {
    expect(body({ model: 'gpt-4o' })).not.toHaveProperty('model');
    expect(body({ stream: true })).not.toHaveProperty('stream');
  });

  it('merges consecutive turns of one role and puts tool results first', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'calling', tool_calls: [
        { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
        { id: 'b', type: 'function', function: { name: 'f', arguments: '' } },
      ] },
      { role: 'tool', tool_call_id: 'a', content: 'A' },
      { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'B' }] },
      { role: 'user', content: 'and?' },
    ];
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    expect(body({ messages, tools }).messages).toEqual([
      { role: 'user', content: [{ text: 'one' }, { text: 'two' }] },
      { role: 'assistant', content: [{ text: 'calling' }, { toolUse: { toolUseId: 'a', name: 'f', input: { x: 1 } } }, { toolUse: { toolUseId: 'b', name: 'f', input: {} } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'a', content: [{ text: 'A' }], status: 'success' } },
          { toolResult: { toolUseId: 'b', content: [{ text: 'B' }], status: 'success' } },
          { text: 'and?' },
        ],
      },
    ]);
  });

  it('moves system and developer messages, wherever they are, into system blocks in order', () => {
    const written = body({
      messages: [
        { role: 'system', content: 'A' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'B' }] },
        { role: 'assistant', content: 'Hello' },
      ],
    });
    expect(written.system).toEqual([{ text: 'A' }, { text: 'B' }]);
    expect(written.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('clamps temperature into [0, 1] and maps the other sampling fields', () => {
    expect(body({ temperature: 1.7, top_p: 0.5, stop: 'X', max_completion_tokens: 50, max_tokens: 99 }).inferenceConfig).toEqual({
      maxTokens: 50,
      temperature: 1,
      topP: 0.5,
      stopSequences: ['X'],
    });
    expect(body({ temperature: -1 }).inferenceConfig).toEqual({ temperature: 0 });
    expect(body({})).not.toHaveProperty('inferenceConfig');
  });

  it('drops what Converse has no field for', () => {
    const written = body({ seed: 1, frequency_penalty: 0.5, presence_penalty: 0.5, parallel_tool_calls: false });
    expect(written).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  it('sends the user id as request metadata', () => {
    expect(body({ user: 'user-123' }).requestMetadata).toEqual({ user: 'user-123' });
  });

  it('maps tool_choice', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    expect(body({ tools }).toolConfig).toEqual({ tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object', properties: {} } } } }] });
    expect(body({ tools, tool_choice: 'auto' }).toolConfig?.toolChoice).toEqual({ auto: {} });
    expect(body({ tools, tool_choice: 'required' }).toolConfig?.toolChoice).toEqual({ any: {} });
    expect(body({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }).toolConfig?.toolChoice).toEqual({ tool: { name: 'f' } });
    expect(body({ tools, tool_choice: 'none' })).not.toHaveProperty('toolConfig');
    expect(rejection({ tools, tool_choice: { type: 'function', function: { name: 'g' } } })).toMatchObject({ status: 400, param: 'tool_choice.function.name' });
  });

  it('keeps toolConfig when the history holds tool blocks, even with tool_choice none or no tools', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'a', content: 'done' },
    ];
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    const withNone = body({ messages, tools, tool_choice: 'none' }).toolConfig;
    expect(withNone?.tools.map((tool) => tool.toolSpec.name)).toEqual(['f', 'lookup']);
    expect(withNone).not.toHaveProperty('toolChoice');
    expect(body({ messages }).toolConfig).toEqual({ tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: {} } } } }] });
  });

  it('maps top_k and reasoning_effort into additionalModelRequestFields for Claude', () => {
    expect(body({ top_k: 5 }).additionalModelRequestFields).toEqual({ top_k: 5 });
    const thinking = body({ reasoning_effort: 'low' }, { ...OPTIONS, model: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0' });
    expect(thinking.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(thinking.inferenceConfig).toEqual({ maxTokens: 4096 });
    // The answer keeps its own room above the budget.
    expect(body({ reasoning_effort: 'medium', max_tokens: 1000 }).inferenceConfig).toEqual({ maxTokens: 9192 });
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0';
    expect(body({ reasoning_effort: 'high' }, { ...OPTIONS, model: arn }).additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 24576 } });
  });

  it('refuses reasoning_effort for model families it cannot translate it for', () => {
    expect(rejection({ reasoning_effort: 'low' }, { ...OPTIONS, model: 'amazon.nova-pro-v1:0' })).toMatchObject({ status: 400, param: 'reasoning_effort' });
    expect(rejection({ reasoning_effort: 'extreme' })).toMatchObject({ status: 400, param: 'reasoning_effort' });
  });

  it('maps json_schema to outputConfig.textFormat with the schema as a string', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(body({ response_format: { type: 'json_schema', json_schema: { name: 'thing', description: 'A thing', schema } } }).outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'thing', description: 'A thing' } } },
    });
    expect(body({ response_format: { type: 'text' } })).not.toHaveProperty('outputConfig');
    expect(rejection({ response_format: { type: 'json_object' } })).toMatchObject({ status: 400, param: 'response_format' });
  });

  it('maps data: images and refuses https ones, naming the feature and the provider', () => {
    const image = (url: string): Partial<ChatRequest> => ({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
    expect(body(image('data:image/jpg;base64,/9j/4AAQ')).messages[0]!.content).toEqual([{ image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } }]);
    const url = rejection(image('https://example.com/cat.png'));
    expect(url).toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    expect(url.message).toContain("provider 'aws' (Bedrock Converse) does not accept image URLs");
    expect(rejection(image('data:image/tiff;base64,AAAA')).message).toContain("not 'tiff'");
  });

  it('refuses what Converse cannot express', () => {
    expect(rejection({ n: 2 })).toMatchObject({ status: 400, param: 'n' });
    expect(rejection({ logprobs: true })).toMatchObject({ status: 400, param: 'logprobs' });
    expect(rejection({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }] })).toMatchObject({
      status: 400,
      param: 'messages[0].content[0].type',
    });
    const badArguments: ChatMessage = { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{not json' } }] };
    expect(rejection({ messages: [{ role: 'user', content: 'x' }, badArguments] })).toMatchObject({ param: 'messages[1].tool_calls[0].function.arguments' });
    expect(rejection({ tools: [{ type: 'function', function: { name: 'f', parameters: [] as unknown as Record<string, unknown> } }] })).toMatchObject({
      param: 'tools[0].function.parameters',
    });
  });

  it('keeps messages, tools, stop, temperature and max tokens (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 });
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const turn = fc.oneof(
      fc.record({ role: fc.constant('user' as const), content: text }),
      fc.record({ role: fc.constant('assistant' as const), content: text }),
      fc.record({ role: fc.constant('system' as const), content: text }),
    );
    fc.assert(
      fc.property(
        fc.array(turn, { minLength: 1, maxLength: 8 }),
        fc.uniqueArray(name, { maxLength: 4 }),
        fc.option(fc.array(text, { minLength: 1, maxLength: 4 }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
        (messages, toolNames, stop, temperature, maxTokens) => {
          const request: ChatRequest = { model: 'm', messages, tools: toolNames.map((toolName) => ({ type: 'function', function: { name: toolName, description: `d ${toolName}` } })) };
          if (stop !== undefined) request.stop = stop;
          if (temperature !== undefined) request.temperature = temperature;
          if (maxTokens !== undefined) request.max_tokens = maxTokens;
          const written = body(request);

          // Every non-system text arrives, in order, in alternating turns.
          const sent = written.messages.flatMap((message) => message.content.map((block) => [message.role, (block as { text: string }).text]));
          expect(sent).toEqual(messages.filter((message) => message.role !== 'system').map((message) => [message.role, message.content]));
          written.messages.forEach((message, index) => {
            if (index > 0) expect(message.role).not.toBe(written.messages[index - 1]!.role);
          });
          expect(written.system?.map((block) => block.text) ?? []).toEqual(messages.filter((message) => message.role === 'system').map((message) => message.content));
          expect(written.toolConfig?.tools.map((tool) => [tool.toolSpec.name, tool.toolSpec.description]) ?? []).toEqual(toolNames.map((toolName) => [toolName, `d ${toolName}`]));
          expect(written.inferenceConfig?.stopSequences).toEqual(stop);
          expect(written.inferenceConfig?.maxTokens).toEqual(maxTokens);
          expect(written.inferenceConfig?.temperature).toEqual(temperature === undefined ? undefined : Math.min(1, temperature));
        },
      ),
    );
  });
});
