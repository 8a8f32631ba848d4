import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/index.js';
import { interceptGlobalFetch } from '../../src/intercept/index.js';
import { createMockProvider, type MockProvider } from '../../src/testing/index.js';
import type { CallRecord } from '../../src/events/record.js';

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
});

describe('interceptGlobalFetch', () => {
  it('routes calls to the chosen hosts through Sluice and leaves the others alone', async () => {
    mock = await createMockProvider();
    const records: CallRecord[] = [];
    const sluice = createSluice().on('request:end', ({ record }) => records.push(record));
    const target = { fetch: globalThis.fetch };
    const original = target.fetch;
    interceptGlobalFetch(sluice, { hosts: ['127.0.0.1'], target });
    // A client with no fetch option of its own calls the patched fetch.
    const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 0, fetch: (input, init) => target.fetch(input, init) });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    await sluice.flush();
    expect(records).toHaveLength(1);
    // Sluice's own upstream call reached the mock once: no loop through the patched fetch.
    expect(mock.requests).toHaveLength(1);

    const other = new URL(mock.baseURL);
    other.hostname = 'localhost';
    await target.fetch(`${other.origin}/v1/models`);
    expect(records).toHaveLength(1);

    await sluice.close();
    expect(target.fetch).toBe(original);
  });

  it('matches subdomains with a leading *.', async () => {
    mock = await createMockProvider();
    const sluice = createSluice();
    const seen: string[] = [];
    const target = { fetch: (async (input: string | URL | Request) => {
      seen.push(String(input));
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch };
    const interception = interceptGlobalFetch(sluice, { hosts: ['*.example.com'], target });
    const calls: string[] = [];
    sluice.on('passthrough:end', (event) => calls.push(event.url));
    await target.fetch('https://api.example.com/v1/files');
    await target.fetch('https://example.org/v1/files');
    expect(calls).toEqual(['https://api.example.com/v1/files']);
    expect(seen).toHaveLength(2);
    interception.restore();
    interception.restore();
    await sluice.close();
  });

  it('rejects an empty host list', () => {
    expect(() => interceptGlobalFetch(createSluice(), { hosts: [] })).toThrow(/at least one host/);
  });
});
