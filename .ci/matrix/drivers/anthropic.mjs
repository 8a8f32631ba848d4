/** The Anthropic SDK (`@anthropic-ai/sdk`): `messages.create` with and without `stream`, and the `messages.stream()` helper. */
import Anthropic from '@anthropic-ai/sdk';

const messages = [{ role: 'user', content: 'Hi' }];
const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];

/** @param {import('sluice').Sluice} sluice @param {import('sluice/testing').MockProvider} mock */
const client = (sluice, mock) => new Anthropic({ apiKey: 'client-key', baseURL: mock.url, maxRetries: 0, fetch: sluice.fetch });

async function text(anthropic, model) {
  const message = await anthropic.messages.create({ model, max_tokens: 64, messages });
  const words = message.content.filter((block) => block.type === 'text').map((block) => block.text);
  return { text: words.join(''), usage: { input: message.usage.input_tokens, output: message.usage.output_tokens } };
}

/** Reads text deltas from an iterable of raw stream events, breaking after `stopAfter`. */
async function readText(events, stopAfter) {
  let text = '';
  let pieces = 0;
  for await (const event of events) {
    if (event.type !== 'content_block_delta' || event.delta.type !== 'text_delta' || event.delta.text === '') continue;
    text += event.delta.text;
    if (++pieces >= stopAfter) break;
  }
  return { text, pieces };
}

/** Collects the one tool call from raw stream events. */
async function readTool(events) {
  let name = '';
  let json = '';
  for await (const event of events) {
    if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') name = event.content_block.name;
    if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') json += event.delta.partial_json;
  }
  return { name, args: JSON.parse(json) };
}

async function wholeTool(anthropic, model) {
  const message = await anthropic.messages.create({ model, max_tokens: 64, messages, tools });
  const call = message.content.find((block) => block.type === 'tool_use');
  return { name: call?.name, args: call?.input };
}

const shared = {
  model: 'an/claude-sonnet-4-5',
  translated: 'oa/gpt-4o-mini',
  // message_start, content_block_start, ping, then text.
  stallAfter: 4,
  client,
  text,
  isApiError: (error) => error instanceof Anthropic.APIError,
  status: (error) => error?.status,
};

/** @type {import('./types.mjs').Flavour} */
const create = {
  ...shared,
  name: 'messages.create',
  stream: async (anthropic, model, stopAfter) => readText(await anthropic.messages.create({ model, max_tokens: 64, messages, stream: true }), stopAfter),
  tool: async (anthropic, model, streamed) =>
    streamed ? readTool(await anthropic.messages.create({ model, max_tokens: 64, messages, tools, stream: true })) : wholeTool(anthropic, model),
};

/** @type {import('./types.mjs').Flavour} */
const helper = {
  ...shared,
  name: 'messages.stream()',
  stream: (anthropic, model, stopAfter) => readText(anthropic.messages.stream({ model, max_tokens: 64, messages }), stopAfter),
  async tool(anthropic, model, streamed) {
    if (!streamed) return wholeTool(anthropic, model);
    const message = await anthropic.messages.stream({ model, max_tokens: 64, messages, tools }).finalMessage();
    const call = message.content.find((block) => block.type === 'tool_use');
    return { name: call?.name, args: call?.input };
  },
};

export const flavours = [create, helper];
