/** The Google GenAI SDK (`@google/genai`): `models.generateContent` and `models.generateContentStream`. */
import { ApiError, GoogleGenAI } from '@google/genai';

const lookup = {
  functionDeclarations: [
    { name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  ],
};

/** @type {import('./types.mjs').Flavour} */
const models = {
  name: 'models.generateContent',
  model: 'ge/gemini-2.5-flash',
  translated: 'oa/gpt-4o-mini',
  stallAfter: 2,
  client: (sluice, mock) => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: mock.url, fetch: sluice.fetch, retryOptions: { attempts: 1 } } }),
  async text(ai, model) {
    const result = await ai.models.generateContent({ model, contents: 'Hi' });
    return { text: result.text ?? '', usage: { input: result.usageMetadata?.promptTokenCount, output: result.usageMetadata?.candidatesTokenCount } };
  },
  async stream(ai, model, stopAfter) {
    // The SDK's generator releases the body on `break` without cancelling it, so the response stays
    // open until the caller aborts the signal it passed: the documented way to stop a stream.
    const controller = new AbortController();
    let text = '';
    let pieces = 0;
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Hi', config: { abortSignal: controller.signal } })) {
      const piece = chunk.text ?? '';
      if (piece === '') continue;
      text += piece;
      if (++pieces >= stopAfter) break;
    }
    if (pieces >= stopAfter) controller.abort();
    return { text, pieces };
  },
  async tool(ai, model, streamed) {
    const request = { model, contents: 'Weather in Paris?', config: { tools: [lookup] } };
    if (!streamed) {
      const call = (await ai.models.generateContent(request)).functionCalls?.[0];
      return { name: call?.name, args: call?.args };
    }
    const calls = [];
    for await (const chunk of await ai.models.generateContentStream(request)) calls.push(...(chunk.functionCalls ?? []));
    return { name: calls[0]?.name, args: calls[0]?.args };
  },
  isApiError: (error) => error instanceof ApiError,
  status: (error) => error?.status,
};

export const flavours = [models];
