/** LangChain's `ChatOpenAI` (`@langchain/openai`), given Sluice's fetch through `configuration.fetch`. */
import { ChatOpenAI } from '@langchain/openai';
import { chatModelCalls } from './langchain-shared.mjs';

/** @type {import('./types.mjs').Flavour[]} */
export const flavours = [
  {
    ...chatModelCalls(),
    name: 'ChatOpenAI',
    model: 'oa/gpt-4o-mini',
    translated: 'an/claude-sonnet-4-5',
    stallAfter: 3,
    client: (sluice, mock) => (model) =>
      new ChatOpenAI({ model, apiKey: 'client-key', maxRetries: 0, configuration: { baseURL: mock.baseURL, fetch: sluice.fetch } }),
    isApiError: (error) => error instanceof Error && typeof error.status === 'number',
    status: (error) => error?.status,
  },
];
