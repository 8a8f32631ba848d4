/**
 * The Vercel AI SDK (`ai`) with its providers `@ai-sdk/openai` (Chat Completions and Responses),
 * `@ai-sdk/anthropic` and `@ai-sdk/google`: `generateText` and `streamText`.
 */
import { APICallError, generateText, jsonSchema, streamText, tool } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';

// The Anthropic provider warns about model ids it does not know (ours carry a routing prefix).
globalThis.AI_SDK_LOG_WARNINGS = false;

const tools = {
  get_weather: tool({
    description: 'Weather',
    inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
  }),
};

const shared = {
  async text(model, id) {
    const result = await generateText({ model: model(id), prompt: 'Hi', maxRetries: 0 });
    return { text: result.text, usage: { input: result.usage.inputTokens, output: result.usage.outputTokens } };
  },
  async stream(model, id, stopAfter) {
    // `break` stops only this reader of the SDK's teed stream, so the response stays open until the
    // caller aborts the signal it passed: the documented way to stop a stream.
    const controller = new AbortController();
    // Errors arrive as parts of the full stream (textStream would hand them to onError and end quietly).
    const result = streamText({ model: model(id), prompt: 'Hi', maxRetries: 0, abortSignal: controller.signal, onError: () => {} });
    let text = '';
    let pieces = 0;
    for await (const part of result.fullStream) {
      if (part.type === 'error') throw part.error instanceof Error ? part.error : new Error(JSON.stringify(part.error));
      if (part.type !== 'text-delta' || part.text === '') continue;
      text += part.text;
      if (++pieces >= stopAfter) break;
    }
    if (pieces >= stopAfter) controller.abort();
    return { text, pieces };
  },
  async tool(model, id, streamed) {
    const request = { model: model(id), prompt: 'Weather in Paris?', tools, maxRetries: 0 };
    const calls = streamed ? await streamText({ ...request, onError: () => {} }).toolCalls : (await generateText(request)).toolCalls;
    return { name: calls[0]?.toolName, args: calls[0]?.input };
  },
  isApiError: (error) => APICallError.isInstance(error),
  status: (error) => error?.statusCode,
};

const openai = (sluice, mock) => createOpenAI({ apiKey: 'client-key', baseURL: mock.baseURL, fetch: sluice.fetch });

/** @type {import('./types.mjs').Flavour[]} */
export const flavours = [
  {
    ...shared,
    name: '@ai-sdk/openai chat',
    model: 'oa/gpt-4o-mini',
    translated: 'an/claude-sonnet-4-5',
    stallAfter: 3,
    client: (sluice, mock) => openai(sluice, mock).chat,
  },
  {
    ...shared,
    name: '@ai-sdk/openai responses',
    model: 'oa/gpt-4o-mini',
    translated: null,
    stallAfter: 6,
    client: (sluice, mock) => openai(sluice, mock).responses,
  },
  {
    ...shared,
    name: '@ai-sdk/anthropic',
    model: 'an/claude-sonnet-4-5',
    translated: 'ge/gemini-2.5-flash',
    stallAfter: 4,
    client: (sluice, mock) => createAnthropic({ apiKey: 'client-key', baseURL: `${mock.url}/v1`, fetch: sluice.fetch }),
  },
  {
    ...shared,
    name: '@ai-sdk/google',
    model: 'ge/gemini-2.5-flash',
    translated: 'oa/gpt-4o-mini',
    stallAfter: 2,
    client: (sluice, mock) => createGoogleGenerativeAI({ apiKey: 'client-key', baseURL: `${mock.url}/v1beta`, fetch: sluice.fetch }),
  },
];
