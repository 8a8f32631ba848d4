import Anthropic from '@anthropic-ai/sdk';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import type { Middleware } from '../../src/core/types.js';
import type { CallRecord } from '../../src/events/record.js';
import { cache } from '../../src/plugins/cache/index.js';
import { semanticCache, type SemanticCacheOptions } from '../../src/plugins/semantic-cache/index.js';
import { postgresSemanticStore } from '../../src/stores/postgres/semantic.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const model = 'openai/gpt-4o-mini';
const CHAT = { path: '/v1/chat/completions' };
const question = (content: string) => [{ role: 'user' as const, content }];

/** A Sluice instance whose semantic cache embeds through the instance itself, to the mock's `/v1/embeddings`. */
function setup(options: Partial<SemanticCacheOptions> = {}, before: Middleware[] = []) {
  const sluice: Sluice = createSluice({
    providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' }, an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k' } },
    use: [
      ...before,
      semanticCache({
        embed: { fetch: (input, init) => sluice.fetch(input, init), model: 'openai/text-embedding-3-small', baseURL: mock.baseURL, dimensions: 64 },
        ...options,
      }),
    ],
  });
  return { sluice, client: clientFor(sluice, mock.baseURL) };
}

const paths = () => mock.requests.map((request) => request.path);

describe('semantic cache through the OpenAI SDK', () => {
  it('embeds through the same instance, serves a repeated question from the cache, and sends a different one upstream', async () => {
    const { sluice, client } = setup();
    const records = collect(sluice, 'request:end');
    const ended = (): CallRecord[] => records.map((event) => event.record);
    mock.script({ kind: 'reply', content: 'Paris.', usage: { prompt_tokens: 1000, completion_tokens: 500 }, match: CHAT });
    mock.script({ kind: 'reply', content: 'About 330 metres.', match: CHAT });

    const first = await client.chat.completions.create({ model, messages: question('What is the capital of France?') });
    await sluice.flush();
    expect(paths()).toEqual(['/v1/embeddings', '/v1/chat/completions']);
    const embedding = JSON.parse(mock.requests[0]!.bodyText) as Record<string, unknown>;
    expect(embedding).toEqual({ model: 'text-embedding-3-small', encoding_format: 'float', dimensions: 64, input: 'user: What is the capital of France?' });
    // Sluice's control headers never reach the provider.
    expect(Object.keys(mock.requests[0]!.headers).filter((name) => name.startsWith('x-sluice-'))).toEqual([]);

    const { data: second, response } = await client.chat.completions.create({ model, messages: question('What is the capital of France?') }).withResponse();
    await sluice.flush();
    expect(second).toEqual(first);
    expect(response.headers.get('x-sluice-cache')).toBe('hit');
    expect(response.headers.get('x-sluice-cache-similarity')).toBe('1.0000');
    expect(paths()).toEqual(['/v1/embeddings', '/v1/chat/completions', '/v1/embeddings']);

    const third = await client.chat.completions.create({ model, messages: question('How tall is the Eiffel Tower?') });
    await sluice.flush();
    expect(third.choices[0]?.message.content).toBe('About 330 metres.');
    expect(paths()).toEqual(['/v1/embeddings', '/v1/chat/completions', '/v1/embeddings', '/v1/embeddings', '/v1/chat/completions']);

    // Every embedding call is a call of its own: routed, tagged, priced and recorded.
    const [embedRecord, missRecord, , hitRecord] = ended();
    expect(embedRecord).toMatchObject({ operation: 'embeddings', model: 'text-embedding-3-small', provider: 'openai', tags: ['semantic-cache'], status: 200 });
    expect(missRecord).toMatchObject({ operation: 'chat', cache: { status: 'miss', namespace: 'default', savedUsd: null } });
    expect(missRecord!.costUsd).toBeGreaterThan(0);
    expect(hitRecord).toMatchObject({ operation: 'chat', cache: { status: 'hit', namespace: 'default', savedUsd: missRecord!.costUsd }, costUsd: 0, attempts: [] });
    expect(hitRecord!.usage).toEqual(missRecord!.usage);
  });

  it('answers a JSON call from a cached stream', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'reply', content: 'Streamed once', match: CHAT });
    const stream = await client.chat.completions.create({ model, messages: question('Tell me a fact'), stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    await sluice.flush();
    const json = await client.chat.completions.create({ model, messages: question('Tell me a fact') });
    expect(json.choices[0]?.message.content).toBe(streamed);
    expect(paths().filter((path) => path === '/v1/chat/completions')).toHaveLength(1);
  });

  it('goes on as a miss when the embedding call fails, and says so once', async () => {
    const { sluice, client } = setup();
    const errors = collect(sluice, 'store:error');
    mock.script({ kind: 'error', status: 500, match: { path: '/v1/embeddings' } });
    mock.script({ kind: 'reply', content: 'Still answered.', match: CHAT });
    const answer = await client.chat.completions.create({ model, messages: question('Anything') });
    expect(answer.choices[0]?.message.content).toBe('Still answered.');
    expect(errors).toEqual([{ type: 'store:error', plugin: 'semantic-cache', message: 'the embedding failed: the embedding request answered HTTP 500', failOpen: true }]);
  });
});

describe('semantic cache behind the exact cache', () => {
  it('lets the exact cache answer exact repeats, without an embedding call', async () => {
    const { sluice, client } = setup({}, [cache()]);
    const records = collect(sluice, 'request:end');
    mock.script({ kind: 'reply', content: 'Paris.', match: CHAT });
    const first = await client.chat.completions.create({ model, messages: question('What is the capital of France?') });
    await sluice.flush();
    const second = await client.chat.completions.create({ model, messages: question('What is the capital of France?') });
    await sluice.flush();
    expect(second).toEqual(first);
    expect(paths()).toEqual(['/v1/embeddings', '/v1/chat/completions']);
    expect(records.map((event) => [event.record.operation, event.record.cache?.status ?? null])).toEqual([
      ['embeddings', 'bypass'],
      ['chat', 'miss'],
      ['chat', 'hit'],
    ]);
  });
});

describe('semantic cache through the Anthropic SDK', () => {
  it('serves a repeated question from the cache, embedding through the same instance', async () => {
    const { sluice } = setup();
    const client = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    const request = { model: 'an/claude-opus-4-1', max_tokens: 64, system: 'Be brief.', messages: question('What is the capital of France?') };
    const first = await client.messages.create(request);
    await sluice.flush();
    const { data: second, response } = await client.messages.create(request).withResponse();
    expect(second).toEqual(first);
    expect(response.headers.get('x-sluice-cache')).toBe('hit');
    expect(paths()).toEqual(['/v1/embeddings', '/v1/messages', '/v1/embeddings']);
    expect(JSON.parse(mock.requests[0]!.bodyText)).toMatchObject({ input: 'system: Be brief.\nuser: What is the capital of France?' });
  });
});

describe('semantic cache shared through PostgreSQL', () => {
  const table = `sluice_semantic_sdk_${Math.random().toString(36).slice(2, 10)}`;
  const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  });

  it('serves an answer stored by one instance to another', async () => {
    const one = setup({ store: postgresSemanticStore(pool, { table }) });
    const two = setup({ store: postgresSemanticStore(pool, { table }) });
    mock.script({ kind: 'reply', content: 'Shared answer.', match: CHAT });
    const first = await one.client.chat.completions.create({ model, messages: question('Which answer is shared?') });
    await one.sluice.flush();
    // The write is not awaited by the call: wait until the row is there.
    await expect.poll(async () => Number((await pool.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n)).toBe(1);
    const second = await two.client.chat.completions.create({ model, messages: question('Which answer is shared?') });
    expect(second).toEqual(first);
    expect(paths().filter((path) => path === '/v1/chat/completions')).toHaveLength(1);
  });
});
