/**
 * Every SDK to every provider kind, end to end: the official SDKs wrapped by Sluice, routed to the
 * mock provider speaking each provider's own wire format (credentials checked: SigV4 for Bedrock,
 * service-account tokens for Vertex). Text, streams, tools, images, errors, usage and cost.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/index.js';
import type { CallRecord } from '../../src/events/record.js';
import { createMockProvider, type MockProvider } from '../../src/testing/index.js';

const KEY = 'provider-key-123';
const AWS = { accessKeyId: 'AKIDEXAMPLE123', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let mock: MockProvider;
beforeAll(async () => {
  mock = await createMockProvider({
    apiKey: KEY,
    aws: { ...AWS, region: 'us-east-1' },
    vertex: { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), clientEmail: 'sluice@test.iam.gserviceaccount.com' },
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

/** One provider of each kind, all on the mock. */
function gateway(): Sluice {
  return createSluice({
    providers: {
      oa: { kind: 'openai', baseURL: mock.baseURL, apiKey: KEY },
      an: { kind: 'anthropic', baseURL: mock.url, apiKey: KEY },
      ge: { kind: 'gemini', baseURL: mock.url, apiKey: KEY },
      br: { kind: 'bedrock', baseURL: mock.url, region: 'us-east-1', aws: AWS },
      ol: { kind: 'ollama', baseURL: mock.url, apiKey: KEY },
      az: { kind: 'azure', baseURL: mock.url, apiKey: KEY, apiVersion: '2024-10-21' },
      vx: {
        kind: 'vertex',
        baseURL: mock.url,
        project: 'proj',
        location: 'us-central1',
        serviceAccount: {
          client_email: 'sluice@test.iam.gserviceaccount.com',
          private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          token_uri: `${mock.url}/token`,
        },
      },
    },
    env: {},
  });
}

function records(sluice: Sluice): CallRecord[] {
  const list: CallRecord[] = [];
  sluice.on('request:end', ({ record }) => list.push(record));
  return list;
}

const openaiClient = (sluice: Sluice) => new OpenAI({ apiKey: 'client-key', baseURL: 'https://api.openai.com/v1', maxRetries: 0, fetch: sluice.fetch });
const anthropicClient = (sluice: Sluice) => new Anthropic({ apiKey: 'client-key', baseURL: 'https://api.anthropic.com', maxRetries: 0, fetch: sluice.fetch });
const geminiClient = (sluice: Sluice) => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { fetch: sluice.fetch } as never });

const TARGETS = [
  ['openai-compatible', 'oa/gpt-4o-mini'],
  ['anthropic', 'an/claude-sonnet-4-5'],
  ['gemini', 'ge/gemini-2.5-flash'],
  ['bedrock', 'br/anthropic.claude-sonnet-4-5-20250929-v1:0'],
  ['ollama', 'ol/llama3.2'],
  ['azure', 'az/my-deployment'],
  ['vertex (gemini)', 'vx/gemini-2.5-pro'],
  ['vertex (claude)', 'vx/claude-sonnet-4-5@20250929'],
] as const;

describe('the OpenAI SDK on every provider kind', () => {
  it.each(TARGETS)('%s: text, with usage in the record', async (_kind, model) => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'reply', content: 'Hello from the mock', usage: { prompt_tokens: 12, completion_tokens: 5 } });
    const completion = await openaiClient(sluice).chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the mock');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
    expect(mock.requests).toHaveLength(model.startsWith('vx/') ? 2 : 1);
    // The client's own key never reaches a provider of another format.
    for (const request of mock.requests) expect(JSON.stringify(request.headers)).not.toContain('client-key');
    await sluice.flush();
    expect(seen[0]).toMatchObject({ outcome: 'completed', status: 200, usage: { inputTokens: 12, outputTokens: 5 } });
  });

  it.each(TARGETS)('%s: a stream, read to the end', async (_kind, model) => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'reply', content: 'one two three four', usage: { prompt_tokens: 7, completion_tokens: 4 } });
    const stream = await openaiClient(sluice).chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Count' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three four');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 4 });
    await sluice.flush();
    expect(seen[0]).toMatchObject({ outcome: 'completed', streamed: true, usage: { inputTokens: 7, outputTokens: 4 } });
  });

  it.each(TARGETS.filter(([kind]) => kind !== 'ollama'))('%s: tool calls, streamed and whole', async (_kind, model) => {
    const sluice = gateway();
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ];
    const call = { name: 'get_weather', arguments: '{"city":"Paris"}' };
    mock.script({ kind: 'reply', toolCalls: [call] }, { kind: 'reply', toolCalls: [call] });
    const client = openaiClient(sluice);
    const whole = await client.chat.completions.create({ model, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(whole.choices[0]?.finish_reason).toBe('tool_calls');
    expect(whole.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((whole.choices[0]?.message.tool_calls?.[0] as { function: { arguments: string } }).function.arguments)).toEqual({ city: 'Paris' });

    const stream = await client.chat.completions.create({ model, tools, stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
  });

  it('sends an image as the target format expects', async () => {
    const sluice = gateway();
    const image = 'data:image/png;base64,iVBORw0KGgo=';
    await openaiClient(sluice).chat.completions.create({
      model: 'an/claude-sonnet-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: image } }] }],
    });
    const sent = mock.requests[0]!.body as { messages: Array<{ content: Array<{ type: string; source?: unknown }> }> };
    expect(sent.messages[0]?.content).toContainEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it("maps Anthropic's 529 overloaded to a 503 the OpenAI SDK raises as InternalServerError", async () => {
    const sluice = gateway();
    mock.script({ kind: 'error', status: 529 });
    const error = await openaiClient(sluice)
      .chat.completions.create({ model: 'an/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as Error).message).toContain('an:');
  });

  it("maps Gemini's RESOURCE_EXHAUSTED and Bedrock's throttling to 429s", async () => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'error', status: 429 }, { kind: 'error', status: 429 });
    const client = openaiClient(sluice);
    for (const model of ['ge/gemini-2.5-flash', 'br/anthropic.claude-sonnet-4-5-20250929-v1:0']) {
      const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
      expect(error, model).toBeInstanceOf(OpenAI.RateLimitError);
    }
    await sluice.flush();
    expect(seen.map((record) => record.attempts[0]?.status)).toEqual([429, 429]);
  });

  it('refuses with a 400 naming the feature when the target cannot express it', async () => {
    const sluice = gateway();
    const error = await openaiClient(sluice)
      .chat.completions.create({ model: 'an/claude-sonnet-4-5', n: 2, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/\bn\b/);
    expect(mock.requests).toHaveLength(0);
  });

  it('refuses a tool schema that is not an object with a 400 naming the field, before any upstream call', async () => {
    const sluice = gateway();
    const error = await openaiClient(sluice)
      .chat.completions.create({
        model: 'an/claude-sonnet-4-5',
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }],
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('tools[0].function.parameters');
    expect(mock.requests).toHaveLength(0);
  });

  it('answers 502 naming the provider when its answer cannot be read, and keeps the raw status', async () => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: '{"not":"a message"}' });
    const error = await openaiClient(sluice)
      .chat.completions.create({ model: 'an/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as Error).message).toContain("provider 'an'");
    await sluice.flush();
    expect(seen[0]?.attempts[0]?.status).toBe(200);
  });

  it('ends a translated stream with an error event the SDK raises when the provider fails mid-stream', async () => {
    const sluice = gateway();
    mock.script({ kind: 'mid-stream-error', afterChunks: 3 });
    const stream = await openaiClient(sluice).chat.completions.create({ model: 'an/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // read on
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });
});

describe('the Anthropic SDK', () => {
  it('passes straight through to Anthropic and records usage', async () => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'reply', content: 'Bonjour', usage: { prompt_tokens: 20, completion_tokens: 3, cached_tokens: 8 } });
    const message = await anthropicClient(sluice).messages.create({ model: 'an/claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Bonjour' });
    expect((mock.requests[0]!.body as { model: string }).model).toBe('claude-sonnet-4-5');
    await sluice.flush();
    expect(seen[0]).toMatchObject({ dialect: 'anthropic', provider: 'an', usage: { inputTokens: 20, cachedTokens: 8, outputTokens: 3 } });
    expect(seen[0]?.costUsd).toBeGreaterThan(0);
  });

  it.each(TARGETS.filter(([kind]) => kind !== 'anthropic'))('on %s: text and a stream', async (_kind, model) => {
    const sluice = gateway();
    mock.script({ kind: 'reply', content: 'Hello there' }, { kind: 'reply', content: 'Streamed hello' });
    const client = anthropicClient(sluice);
    const message = await client.messages.create({ model, max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello there' });
    expect(message.stop_reason).toBe('end_turn');
    const final = await client.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Streamed hello' });
  });

  it('uses tools on an OpenAI-compatible provider', async () => {
    const sluice = gateway();
    mock.script({ kind: 'reply', toolCalls: [{ name: 'lookup', arguments: '{"q":"sluice"}' }] });
    const message = await anthropicClient(sluice).messages.create({
      model: 'oa/gpt-4o-mini',
      max_tokens: 64,
      tools: [{ name: 'lookup', description: 'Search', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Find sluice' }],
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toContainEqual(expect.objectContaining({ type: 'tool_use', name: 'lookup', input: { q: 'sluice' } }));
  });

  it('answers a request without max_tokens with a 400 in Anthropic form naming the field', async () => {
    const sluice = gateway();
    const response = await sluice.fetch('https://api.anthropic.com/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'oa/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('max_tokens');
  });
});

describe('the Google GenAI SDK', () => {
  it.each(TARGETS.filter(([kind]) => !kind.startsWith('gemini')))('on %s: generateContent and its stream', async (_kind, model) => {
    const sluice = gateway();
    mock.script({ kind: 'reply', content: 'Hallo' }, { kind: 'reply', content: 'Hallo stream' });
    const ai = geminiClient(sluice);
    const result = await ai.models.generateContent({ model, contents: 'Hi' });
    expect(result.text).toBe('Hallo');
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Hi' })) text += chunk.text ?? '';
    expect(text).toBe('Hallo stream');
  });

  it('passes straight through to Gemini', async () => {
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'reply', content: 'Direct', usage: { prompt_tokens: 4, completion_tokens: 1 } });
    const result = await geminiClient(sluice).models.generateContent({ model: 'ge/gemini-2.5-flash', contents: 'Hi' });
    expect(result.text).toBe('Direct');
    expect(mock.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    await sluice.flush();
    expect(seen[0]).toMatchObject({ dialect: 'gemini', provider: 'ge', usage: { inputTokens: 4, outputTokens: 1 } });
  });
});

describe('the Vercel AI SDK', () => {
  it('generateText and streamText through @ai-sdk/openai on an Anthropic provider, and @ai-sdk/anthropic on an OpenAI one', async () => {
    const { generateText, streamText } = await import('ai');
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    const sluice = gateway();
    const seen = records(sluice);
    mock.script({ kind: 'reply', content: 'From Claude' }, { kind: 'reply', content: 'Streamed from GPT' });
    const openai = createOpenAI({ apiKey: 'client-key', fetch: sluice.fetch });
    const anthropic = createAnthropic({ apiKey: 'client-key', fetch: sluice.fetch });
    const generated = await generateText({ model: openai.chat('an/claude-sonnet-4-5'), prompt: 'Hi', maxRetries: 0 });
    expect(generated.text).toBe('From Claude');
    const streamed = streamText({ model: anthropic('oa/gpt-4o-mini'), prompt: 'Hi', maxRetries: 0 });
    let text = '';
    for await (const part of streamed.textStream) text += part;
    expect(text).toBe('Streamed from GPT');
    await sluice.flush();
    expect(seen.map((record) => [record.dialect, record.provider, record.outcome])).toEqual([
      ['openai', 'an', 'completed'],
      ['anthropic', 'oa', 'completed'],
    ]);
  });

  it('tool calls through @ai-sdk/anthropic on a Gemini provider', async () => {
    const { generateText, jsonSchema, tool } = await import('ai');
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    const sluice = gateway();
    mock.script({ kind: 'reply', toolCalls: [{ name: 'weather', arguments: '{"city":"Oslo"}' }] });
    const anthropic = createAnthropic({ apiKey: 'client-key', fetch: sluice.fetch });
    const result = await generateText({
      model: anthropic('ge/gemini-2.5-flash'),
      prompt: 'Weather in Oslo?',
      maxRetries: 0,
      tools: { weather: tool({ description: 'Weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }) },
    });
    expect(result.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Oslo' } });
  });
});

/** Kinds whose model id the built-in price catalog knows, so the record carries a cost. */
const PRICED = new Set(['oa/gpt-4o-mini', 'an/claude-sonnet-4-5', 'ge/gemini-2.5-flash', 'br/anthropic.claude-sonnet-4-5-20250929-v1:0', 'vx/gemini-2.5-pro']);

describe('the Anthropic SDK on every other kind: tools, an image, an upstream error, usage and cost', () => {
  it.each(TARGETS.filter(([kind]) => kind !== 'anthropic' && kind !== 'ollama'))('%s', async (_kind, model) => {
    const sluice = gateway();
    const seen = records(sluice);
    const client = anthropicClient(sluice);
    mock.script(
      { kind: 'reply', toolCalls: [{ name: 'lookup', arguments: '{"q":"sluice"}' }], usage: { prompt_tokens: 30, completion_tokens: 6 } },
      { kind: 'reply', content: 'A tiny PNG' },
      { kind: 'error', status: 503 },
    );
    const tools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Search', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }];
    const message = await client.messages.create({ model, max_tokens: 64, tools, messages: [{ role: 'user', content: 'Find sluice' }] });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toContainEqual(expect.objectContaining({ type: 'tool_use', name: 'lookup', input: { q: 'sluice' } }));

    if (!model.startsWith('br/')) {
      // Bedrock takes images as bytes, which a base64 source gives; the others take it too.
      const described = await client.messages.create({
        model,
        max_tokens: 64,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }, { type: 'text', text: 'What is this?' }] }],
      });
      expect(described.content[0]).toMatchObject({ type: 'text', text: 'A tiny PNG' });
      expect(mock.requests.some((request) => JSON.stringify(request.body ?? null).includes('iVBORw0KGgo='))).toBe(true);
    } else {
      mock.script({ kind: 'reply', content: 'skip' });
      await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    }

    const error = await client.messages.create({ model, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect([500, 503, 529]).toContain((error as InstanceType<typeof Anthropic.APIError>).status);

    await sluice.flush();
    expect(seen[0]).toMatchObject({ dialect: 'anthropic', outcome: 'completed', usage: { inputTokens: 30, outputTokens: 6 } });
    if (PRICED.has(model)) expect(seen[0]?.costUsd).toBeGreaterThan(0);
    expect(seen[2]).toMatchObject({ outcome: 'failed' });
  });
});

describe('the Google GenAI SDK on every other kind: tools, an image, an upstream error, usage and cost', () => {
  it.each(TARGETS.filter(([kind]) => !kind.startsWith('gemini') && kind !== 'vertex (gemini)' && kind !== 'ollama'))('%s', async (_kind, model) => {
    const sluice = gateway();
    const seen = records(sluice);
    const ai = geminiClient(sluice);
    mock.script(
      { kind: 'reply', toolCalls: [{ name: 'lookup', arguments: '{"q":"sluice"}' }], usage: { prompt_tokens: 30, completion_tokens: 6 } },
      { kind: 'reply', content: 'A tiny PNG' },
      { kind: 'error', status: 429 },
    );
    const result = await ai.models.generateContent({
      model,
      contents: 'Find sluice',
      config: { tools: [{ functionDeclarations: [{ name: 'lookup', description: 'Search', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } }] }] },
    });
    expect(result.functionCalls?.[0]).toMatchObject({ name: 'lookup', args: { q: 'sluice' } });

    const described = await ai.models.generateContent({
      model,
      contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }, { text: 'What is this?' }] }],
    });
    expect(described.text).toBe('A tiny PNG');

    const error = await ai.models.generateContent({ model, contents: 'Hi' }).catch((caught: unknown) => caught);
    expect((error as { status?: number }).status).toBe(429);

    await sluice.flush();
    expect(seen[0]).toMatchObject({ dialect: 'gemini', outcome: 'completed', usage: { inputTokens: 30, outputTokens: 6 } });
    if (PRICED.has(model)) expect(seen[0]?.costUsd).toBeGreaterThan(0);
  });
});

describe('the Vercel AI SDK on every provider kind: text, a stream, tools, usage', () => {
  it.each(TARGETS)('%s', async (_kind, model) => {
    const { generateText, jsonSchema, streamText, tool } = await import('ai');
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    const sluice = gateway();
    const seen = records(sluice);
    const openai = createOpenAI({ apiKey: 'client-key', fetch: sluice.fetch });
    const anthropic = createAnthropic({ apiKey: 'client-key', fetch: sluice.fetch });
    mock.script(
      { kind: 'reply', content: 'plain answer', usage: { prompt_tokens: 11, completion_tokens: 3 } },
      { kind: 'reply', content: 'streamed answer' },
      { kind: 'reply', toolCalls: [{ name: 'weather', arguments: '{"city":"Oslo"}' }] },
    );
    const generated = await generateText({ model: openai.chat(model), prompt: 'Hi', maxRetries: 0 });
    expect(generated.text).toBe('plain answer');
    expect(generated.usage.inputTokens).toBe(11);

    let text = '';
    for await (const part of streamText({ model: anthropic(model), prompt: 'Hi', maxRetries: 0 }).textStream) text += part;
    expect(text).toBe('streamed answer');

    if (!model.startsWith('ol/')) {
      const result = await generateText({
        model: anthropic(model),
        prompt: 'Weather in Oslo?',
        maxRetries: 0,
        tools: { weather: tool({ description: 'Weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }) }) },
      });
      expect(result.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Oslo' } });
    }
    await sluice.flush();
    expect(seen[0]).toMatchObject({ outcome: 'completed', usage: { inputTokens: 11, outputTokens: 3 } });
    expect(seen[1]).toMatchObject({ dialect: 'anthropic', streamed: true, outcome: 'completed' });
  });
});

describe('streamed tool calls from the Anthropic and GenAI SDKs on every other kind', () => {
  it.each(TARGETS.filter(([kind]) => kind !== 'ollama'))('%s', async (kind, model) => {
    const sluice = gateway();
    const call = { name: 'lookup', arguments: '{"q":"sluice"}' };
    if (kind !== 'anthropic') {
      mock.script({ kind: 'reply', toolCalls: [call] });
      const final = await anthropicClient(sluice)
        .messages.stream({
          model,
          max_tokens: 64,
          tools: [{ name: 'lookup', description: 'Search', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
          messages: [{ role: 'user', content: 'Find sluice' }],
        })
        .finalMessage();
      expect(final.stop_reason).toBe('tool_use');
      expect(final.content).toContainEqual(expect.objectContaining({ type: 'tool_use', name: 'lookup', input: { q: 'sluice' } }));
    }
    if (!kind.startsWith('gemini') && kind !== 'vertex (gemini)') {
      mock.script({ kind: 'reply', toolCalls: [call] });
      const calls: unknown[] = [];
      const stream = await geminiClient(sluice).models.generateContentStream({
        model,
        contents: 'Find sluice',
        config: { tools: [{ functionDeclarations: [{ name: 'lookup', description: 'Search', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } }] }] },
      });
      for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
      expect(calls).toContainEqual(expect.objectContaining({ name: 'lookup', args: { q: 'sluice' } }));
    }
  });
});
