/** The OpenAI SDK (`openai`): Chat Completions and Responses. */
import OpenAI from 'openai';

const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const messages = [{ role: 'user', content: 'Hi' }];

/** @param {import('sluice').Sluice} sluice @param {import('sluice/testing').MockProvider} mock */
const client = (sluice, mock) => new OpenAI({ apiKey: 'client-key', baseURL: mock.baseURL, maxRetries: 0, fetch: sluice.fetch });

/** @type {import('./types.mjs').Flavour} */
const chat = {
  name: 'chat.completions',
  model: 'oa/gpt-4o-mini',
  translated: 'an/claude-sonnet-4-5',
  stallAfter: 3,
  client,
  async text(openai, model) {
    const completion = await openai.chat.completions.create({ model, messages });
    return { text: completion.choices[0]?.message.content ?? '', usage: { input: completion.usage?.prompt_tokens, output: completion.usage?.completion_tokens } };
  },
  async stream(openai, model, stopAfter) {
    const stream = await openai.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let pieces = 0;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content ?? '';
      if (delta === '') continue;
      text += delta;
      if (++pieces >= stopAfter) break;
    }
    return { text, pieces };
  },
  async tool(openai, model, streamed) {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER } }];
    if (!streamed) {
      const call = (await openai.chat.completions.create({ model, messages, tools })).choices[0]?.message.tool_calls?.[0];
      return { name: call?.function.name, args: JSON.parse(call?.function.arguments ?? 'null') };
    }
    let name = '';
    let args = '';
    for await (const chunk of await openai.chat.completions.create({ model, messages, tools, stream: true })) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
    }
    return { name, args: JSON.parse(args) };
  },
  isApiError: (error) => error instanceof OpenAI.APIError,
  status: (error) => error?.status,
};

/** @type {import('./types.mjs').Flavour} */
const responses = {
  name: 'responses',
  model: 'oa/gpt-4o-mini',
  // Sluice passes the Responses API to OpenAI-format providers only.
  translated: null,
  // response.created, response.in_progress, output_item.added, content_part.added, then text.
  stallAfter: 6,
  client,
  async text(openai, model) {
    const response = await openai.responses.create({ model, input: 'Hi' });
    return { text: response.output_text, usage: { input: response.usage?.input_tokens, output: response.usage?.output_tokens } };
  },
  async stream(openai, model, stopAfter) {
    const stream = await openai.responses.create({ model, input: 'Hi', stream: true });
    let text = '';
    let pieces = 0;
    for await (const event of stream) {
      if (event.type === 'error') throw new Error(event.message);
      if (event.type !== 'response.output_text.delta' || event.delta === '') continue;
      text += event.delta;
      if (++pieces >= stopAfter) break;
    }
    return { text, pieces };
  },
  async tool(openai, model, streamed) {
    const tools = [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: WEATHER, strict: false }];
    if (!streamed) {
      const call = (await openai.responses.create({ model, input: 'Weather in Paris?', tools })).output.find((item) => item.type === 'function_call');
      return { name: call?.name, args: JSON.parse(call?.arguments ?? 'null') };
    }
    let call;
    for await (const event of await openai.responses.create({ model, input: 'Weather in Paris?', tools, stream: true })) {
      if (event.type === 'response.output_item.done' && event.item.type === 'function_call') call = event.item;
    }
    return { name: call?.name, args: JSON.parse(call?.arguments ?? 'null') };
  },
  isApiError: (error) => error instanceof OpenAI.APIError,
  status: (error) => error?.status,
};

export const flavours = [chat, responses];
