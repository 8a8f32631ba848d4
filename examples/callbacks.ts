/**
 * LiteLLM-style callbacks: a custom logger object and plain success/failure functions.
 * Run: node --import tsx examples/callbacks.ts
 */
import OpenAI from 'openai';
import { createSluice, SluiceError, type SluiceCallbacks } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const mock = await createMockProvider();

const logger: SluiceCallbacks = {
  logPreApiCall: (info) => console.log('pre  ', info.id, info.url, info.model),
  logPostApiCall: (info) => console.log('post ', info.id, info.status, `${info.latencyMs.toFixed(1)} ms`),
  logSuccessEvent: async (record) => console.log('ok   ', record.id, record.usage.outputTokens, 'tokens', `$${record.costUsd}`),
  logFailureEvent: (record) => console.log('fail ', record.id, record.status, record.error?.message),
  // Refuse calls without a user; change nothing else.
  preCallHook: (ctx) => {
    if (ctx.user === null) throw new SluiceError('sluice_missing_user', 'set the `user` field on every call', { status: 400 });
  },
};

const sluice = createSluice({
  callbacks: [logger],
  successCallback: [(record) => console.log('success_callback', record.id)],
  failureCallback: [(record) => console.log('failure_callback', record.id)],
});
const openai = new OpenAI({ baseURL: mock.baseURL, apiKey: 'sk-example', fetch: sluice.fetch, maxRetries: 0 });

await openai.chat.completions.create({ model: 'gpt-4o-mini', user: 'user-42', messages: [{ role: 'user', content: 'Hi' }] });
try {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
} catch (error) {
  console.log('the SDK threw its own error:', (error as Error).constructor.name, (error as Error).message);
}
await sluice.close();
await mock.close();
