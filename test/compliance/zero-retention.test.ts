import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError } from 'openai';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SluiceConfig } from '../../src/config/types.js';
import type { SluiceConfigError } from '../../src/core/errors.js';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { otlpExporter } from '../../src/exporters/otlp/index.js';
import { jsonlExporter } from '../../src/exporters/node/jsonl.js';
import { otel } from '../../src/otel/index.js';
import { budget, cache, guard, limits, pii, semanticCache } from '../../src/plugins/index.js';
import { memoryCacheStore } from '../../src/stores/memory/cache.js';
import { postgresSemanticStore } from '../../src/stores/postgres/semantic.js';
import { redisBudgetStore, redisCacheStore, redisRateLimitStore } from '../../src/stores/redis/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const MARKER = `zdr-marker-${randomUUID()}`;
const prefix = `test:zdr:${randomUUID()}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 });

/** An OTLP/HTTP receiver on 127.0.0.1 that keeps every body it gets. */
let otlp: Server;
let otlpUrl: string;
const otlpBodies: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-zdr-'));
  otlp = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      otlpBodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve));
  const address = otlp.address();
  otlpUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.end();
  await new Promise<void>((resolve) => otlp.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const provider = (): NonNullable<SluiceConfig['providers']> => ({ openai: { baseURL: mock.baseURL, apiKey: 'key-openai-123456' } });

describe("retention: 'none' refuses, at createSluice, what would keep text", () => {
  const refused = (config: SluiceConfig): SluiceConfigError => {
    try {
      createSluice(config);
    } catch (error) {
      return error as SluiceConfigError;
    }
    throw new Error('expected createSluice to throw');
  };

  it('a Redis or PostgreSQL cache, and a memory cache not allowed explicitly', () => {
    expect(refused({ retention: 'none', use: [cache({ store: redisCacheStore(redis, { prefix }) })] }).issues).toEqual([
      { path: 'use[0]', message: expect.stringContaining('a store outside this process') },
    ]);
    expect(refused({ retention: 'none', use: [cache()] }).issues[0]!.message).toContain("cache({ zeroRetention: 'memory' })");
    const embed = async (texts: string[]): Promise<number[][]> => texts.map(() => [1, 0]);
    expect(refused({ retention: 'none', use: [semanticCache({ embed, store: postgresSemanticStore(pool, { table: 'zdr_never_created' }) })] }).issues[0]!.message).toContain('semanticCache()');
    expect(refused({ retention: 'none', use: [semanticCache({ embed, zeroRetention: 'memory', store: postgresSemanticStore(pool, { table: 'zdr_never_created' }) })] }).issues[0]!.message).toContain('outside this process');
    expect(() => createSluice({ retention: 'none', use: [cache({ zeroRetention: 'memory', store: memoryCacheStore() }), semanticCache({ embed, zeroRetention: 'memory' })] })).not.toThrow();
    // Without zero retention nothing changes.
    expect(() => createSluice({ use: [cache({ store: redisCacheStore(redis, { prefix }) })] })).not.toThrow();
  });

  it('OpenTelemetry content capture and PII originals in records', () => {
    expect(refused({ retention: 'none', use: [otel({ captureContent: true })] }).issues[0]).toEqual({ path: 'use[0]', message: expect.stringContaining('captureContent') });
    expect(refused({ retention: 'none', use: [pii({ recordOriginals: true })] }).issues[0]!.path).toBe('use[0]');
    expect(() => createSluice({ retention: 'none', use: [otel(), pii({ mode: 'log' })] })).not.toThrow();
  });
});

describe("retention: 'none' through every SDK, every plugin and every sink", () => {
  it('leaves no trace of the prompts and answers anywhere', async () => {
    const recordsPath = join(dir, 'records.jsonl');
    const auditPath = join(dir, 'audit.jsonl');
    const callbackPayloads: unknown[] = [];
    const events: unknown[] = [];
    const sluice = createSluice({
      providers: provider(),
      // The Anthropic and Gemini SDKs' calls go to the mock as they were sent.
      unknownModel: 'forward',
      retention: 'none',
      record: { maxBodyChars: 100_000 },
      use: [
        pii({ mode: 'log' }),
        guard({ rules: { 'prompt-injection': 'log' } }),
        limits({ rate: [{ scope: 'user', rpm: 1000, tpm: 1_000_000 }], store: redisRateLimitStore(redis, { prefix }) }),
        budget({ budgets: [{ scope: 'user', limitUsd: 100, period: 'day' }], store: redisBudgetStore(redis, { prefix }) }),
        cache({ zeroRetention: 'memory' }),
        otel(),
      ],
      exporters: [jsonlExporter({ path: recordsPath }), otlpExporter({ url: otlpUrl, protocol: 'http/json', compression: 'none' })],
      audit: { exporters: [jsonlExporter({ path: auditPath })] },
      callbacks: [
        {
          logPreApiCall: (info) => void callbackPayloads.push(info),
          logPostApiCall: (info) => void callbackPayloads.push(info),
          logStreamEvent: (info) => void callbackPayloads.push({ ...info, chunk: new TextDecoder().decode(info.chunk) }),
          logSuccessEvent: (record) => void callbackPayloads.push(record),
          logFailureEvent: (record) => void callbackPayloads.push(record),
        },
      ],
      successCallback: [(record) => void callbackPayloads.push(record)],
      user: 'alice',
    });
    for (const type of ['request:start', 'attempt:end', 'request:end', 'guard:match', 'cache:miss', 'cache:hit', 'limit:wait'] as const) sluice.on(type, (event) => void events.push(event));
    const records: CallRecord[] = [];
    sluice.on('request:end', ({ record }) => void records.push(record));

    const say = `Please repeat ${MARKER} and write to bob@example.com`;
    const openai = clientFor(sluice, mock.baseURL);
    const chat = await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: say }] });
    expect(chat.choices[0]!.message.content).toContain(MARKER);
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: say }], stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toContain(MARKER);
    // The cache answers the repeat from memory.
    await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: say }] });
    const answer = await openai.responses.create({ model: 'openai/gpt-4o-mini', input: say, store: true });
    expect(answer.output_text).toContain(MARKER);
    const sentResponses = mock.requests.find((request) => request.path === '/v1/responses')!;
    expect(JSON.parse(sentResponses.bodyText)).toMatchObject({ store: false });
    const chained = await rejection(openai.responses.create({ model: 'openai/gpt-4o-mini', input: say, previous_response_id: 'resp_1' }));
    expect(chained).toBeInstanceOf(BadRequestError);
    expect((chained as BadRequestError).message).toMatch(/previous_response_id.*retention: 'none'/);

    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0, logLevel: 'off' });
    const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: say }] });
    expect(JSON.stringify(message.content)).toContain(MARKER);
    let anthropicStreamed = '';
    for await (const event of anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: say }] })) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') anthropicStreamed += event.delta.text;
    }
    expect(anthropicStreamed).toContain(MARKER);

    const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url, fetch: sluice.fetch } });
    const generated = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: say });
    expect(generated.text).toContain(MARKER);
    const grounded = await rejection(gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: say, config: { tools: [{ googleSearch: {} }] } }));
    expect(String(grounded)).toContain('Grounding with Google Search');

    await sluice.close();

    expect(records.length).toBe(9);
    for (const record of records) expect(record).toMatchObject({ zeroRetention: true, requestBody: null, responseBody: null });
    const sinks: Record<string, string> = {
      records: await readFile(recordsPath, 'utf8'),
      audit: await readFile(auditPath, 'utf8'),
      otlp: otlpBodies.join('\n'),
      callbacks: JSON.stringify(callbackPayloads),
      events: JSON.stringify(events),
    };
    expect(sinks['otlp']!.length).toBeGreaterThan(0);
    expect(callbackPayloads.length).toBeGreaterThan(20);
    // Redis: every key the limits and budget wrote, with its value.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const values: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') values.push(key, String(await redis.get(key)));
      else if (type === 'hash') values.push(key, JSON.stringify(await redis.hgetall(key)));
      else if (type === 'zset') values.push(key, JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'list') values.push(key, JSON.stringify(await redis.lrange(key, 0, -1)));
      else values.push(key, type);
    }
    sinks['redis'] = values.join('\n');
    // PostgreSQL: every row of every table in the test database.
    const tables = await pool.query<{ name: string }>("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    const hits: string[] = [];
    for (const { name } of tables.rows) {
      try {
        const found = await pool.query(`SELECT count(*)::int AS n FROM ${name} t WHERE t::text LIKE $1`, [`%${MARKER}%`]);
        if ((found.rows[0] as { n: number }).n > 0) hits.push(name);
      } catch (error) {
        // Other test files share the database: a table dropped since it was listed holds nothing.
        if ((error as { code?: string }).code !== '42P01') throw error;
      }
    }
    expect(hits).toEqual([]);
    for (const [sink, text] of Object.entries(sinks)) {
      expect.soft(text.includes(MARKER), `${sink} holds the marker`).toBe(false);
      expect.soft(text.includes('bob@example.com'), `${sink} holds the email`).toBe(false);
    }
  });
});
