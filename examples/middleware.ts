/**
 * A custom middleware: tag every call, refuse oversized prompts, and time the provider.
 * Run: node --import tsx examples/middleware.ts
 */
import OpenAI from 'openai';
import { createSluice, SluiceError, type Middleware } from '../src/index.js';
import { createMockProvider } from '../src/testing/index.js';

const MAX_PROMPT_CHARS = 2_000;

const guardPromptSize: Middleware = async function guardPromptSize(ctx, next) {
  if ((ctx.bodyText?.length ?? 0) > MAX_PROMPT_CHARS) {
    throw new SluiceError('sluice_prompt_too_large', `prompt is over ${MAX_PROMPT_CHARS} characters`, { status: 400 });
  }
  ctx.tags = [...ctx.tags, 'guarded'];
  const started = ctx.now();
  const response = await next(ctx);
  console.log(`${ctx.requestedModel}: provider answered ${response.status} after ${(ctx.now() - started).toFixed(1)} ms`);
  return response;
};

const mock = await createMockProvider();
const sluice = createSluice({ use: [guardPromptSize] });
sluice.on('request:end', ({ record }) => console.log('record tags:', record.tags));
const openai = new OpenAI({ baseURL: mock.baseURL, apiKey: 'sk-example', fetch: sluice.fetch, maxRetries: 0 });

await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'short prompt' }] });
try {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] });
} catch (error) {
  console.log('refused:', (error as Error).message);
}
await sluice.close();
await mock.close();
