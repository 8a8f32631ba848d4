/**
 * A LiteLLM `CustomLogger` with a pre-call auth hook, ported as it is: LiteLLM's method names, metadata,
 * and a pre-call hook that refuses the call when it fails.
 * Run: node --import tsx examples/litellm-logger.ts
 */
import OpenAI from 'openai';
import { createSluice, SluiceError, type CallContext, type CallRecord, type PreApiCallInfo } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const ALLOWED = new Set(['alice']);

class MyCustomHandler {
  log_pre_api_call(info: PreApiCallInfo): void {
    console.log('Pre-API Call', info.model, info.metadata);
  }

  async async_log_success_event(record: CallRecord): Promise<void> {
    console.log('On Async Success', record.model, record.costUsd, record.metadata);
  }

  async async_log_failure_event(record: CallRecord): Promise<void> {
    console.log('On Async Failure', record.error);
  }

  async async_pre_call_hook(ctx: CallContext): Promise<Record<string, unknown>> {
    if (!ALLOWED.has(ctx.user ?? '')) throw new SluiceError('unauthorized', `user ${ctx.user ?? '(none)'} is not allowed`, { status: 401 });
    const data = ctx.body as { messages: Array<{ role: string; content: string }> };
    data.messages = data.messages.map((message) => ({ ...message, content: message.content.replace(/\d{4}-\d{4}/g, '[redacted]') }));
    return data;
  }
}

const mock = await createMockProvider();
const sluice = createSluice({ callbacks: [new MyCustomHandler()], metadata: { app: 'example' } });
const openai = new OpenAI({ baseURL: mock.baseURL, apiKey: 'sk-example', fetch: sluice.fetch, maxRetries: 0 });

const completion = await openai.chat.completions.create(
  { model: 'gpt-4o-mini', user: 'alice', messages: [{ role: 'user', content: 'my card is 1234-5678' }] },
  { headers: { 'x-sluice-metadata': JSON.stringify({ trace_id: 'abc' }) } },
);
console.log('answer:', completion.choices[0]?.message.content);
try {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', user: 'mallory', messages: [{ role: 'user', content: 'Hi' }] });
} catch (error) {
  console.log('the SDK threw its own error:', (error as Error).constructor.name, (error as Error).message);
}
await sluice.close();
await mock.close();
