/** LangChain's `ChatAnthropic` (`@langchain/anthropic`), given Sluice's fetch through `clientOptions.fetch`. */
import { ChatAnthropic } from '@langchain/anthropic';
import { chatModelCalls } from './langchain-shared.mjs';

/** @type {import('./types.mjs').Flavour[]} */
export const flavours = [
  {
    ...chatModelCalls(),
    name: 'ChatAnthropic',
    model: 'an/claude-sonnet-4-5',
    translated: 'oa/gpt-4o-mini',
    stallAfter: 4,
    client: (sluice, mock) => (model) =>
      new ChatAnthropic({ model, apiKey: 'client-key', maxRetries: 0, maxTokens: 64, anthropicApiUrl: mock.url, clientOptions: { fetch: sluice.fetch } }),
    // Seen without Sluice too (the SDK's own fetch straight to the mock).
    gaps:
      Number(process.versions.node.split('.')[0]) >= 24
        ? { break: { skip: 'on Node 24, `break` out of ChatAnthropic.stream() never returns while the provider stalls mid-stream' } }
        : {},
    isApiError: (error) => error instanceof Error && typeof error.status === 'number',
    status: (error) => error?.status,
  },
];
