import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createSluice } from '../../src/core/sluice.js';
import { heliconeExporter, toHeliconeLog } from '../../src/exporters/helicone.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

/**
 * Helicone's async log request as its docs define it (`HeliconeAsyncLogRequest` in
 * docs/getting-started/integration-method/manual-logger-curl.mdx): strict, so a stray field fails too.
 */
const epoch = z.strictObject({ seconds: z.int().nonnegative(), milliseconds: z.int().min(0).max(999) });
const heliconeLog = z.strictObject({
  providerRequest: z.strictObject({ url: z.literal('custom-model-nopath'), json: z.record(z.string(), z.unknown()), meta: z.record(z.string(), z.string()) }),
  providerResponse: z.strictObject({
    headers: z.record(z.string(), z.string()),
    status: z.int(),
    json: z.optional(z.record(z.string(), z.unknown())),
    textBody: z.optional(z.string()),
  }),
  timing: z.strictObject({ startTime: epoch, endTime: epoch, timeToFirstToken: z.optional(z.number().nonnegative()) }),
});
type HeliconeLog = z.infer<typeof heliconeLog>;

interface Receiver {
  url: string;
  /** Valid logs Helicone would have stored (answered 200). */
  stored: HeliconeLog[];
  /** Every request: its auth header and whether the body matched the schema. */
  seen: Array<{ authorization: string | undefined; valid: boolean; status: number }>;
  close(): Promise<void>;
}

/** A local stand-in for Helicone's log endpoint: validates each body, answers the scripted statuses first. */
async function receiver(statuses: number[] = []): Promise<Receiver> {
  const stored: HeliconeLog[] = [];
  const seen: Receiver['seen'] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const parsed = heliconeLog.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const status = !parsed.success ? 400 : (statuses.shift() ?? 200);
      seen.push({ authorization: request.headers.authorization, valid: parsed.success, status });
      if (parsed.success && status === 200) stored.push(parsed.data);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(status === 200 ? '{"ok":true}' : '{"error":"unavailable"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/custom/v1/log`, stored, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let open: Receiver[] = [];
afterEach(async () => {
  await Promise.all(open.map((entry) => entry.close()));
  open = [];
});
async function start(statuses?: number[]): Promise<Receiver> {
  const created = await receiver(statuses);
  open.push(created);
  return created;
}

const REQUEST_ID = '123e4567-e89b-12d3-a456-426614174000';

describe('heliconeExporter', () => {
  it('ships each record in Helicone\'s documented shape, with user, session, properties and timing; a 5xx then 200 loses nothing', async () => {
    const helicone = await start([503]);
    const sluice = createSluice({
      compat: { helicone: true },
      exporters: [{ exporter: heliconeExporter({ apiKey: 'sk-helicone-test-key', url: helicone.url }), queue: { minRetryDelayMs: 1, maxRetryDelayMs: 2, maxBatchSize: 2 } }],
    });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'first answer', usage: { prompt_tokens: 11, completion_tokens: 3 } }, { kind: 'reply', content: 'second answer' });
    const headers = {
      'Helicone-User-Id': 'alice',
      'Helicone-Session-Id': 'session-1',
      'Helicone-Session-Path': '/a/b',
      'Helicone-Property-App': 'mobile',
      'Helicone-Request-Id': REQUEST_ID,
    };
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'Helicone-Omit-Request': 'true', 'Helicone-Omit-Response': 'true' } });
    await sluice.close();

    expect(helicone.seen.every((entry) => entry.valid)).toBe(true);
    expect(helicone.seen.map((entry) => entry.status)).toEqual([503, 200, 200]);
    expect(helicone.seen.every((entry) => entry.authorization === 'Bearer sk-helicone-test-key')).toBe(true);
    expect(sluice.stats.exportDropped).toBe(0);
    expect(helicone.stored).toHaveLength(2);
    const [first, second] = helicone.stored as [HeliconeLog, HeliconeLog];
    expect(first.providerRequest.meta).toEqual({
      'Helicone-Request-Id': REQUEST_ID,
      'Helicone-User-Id': 'alice',
      'Helicone-Session-Id': 'session-1',
      'Helicone-Session-Path': '/a/b',
      'Helicone-Property-app': 'mobile',
    });
    expect(first.providerRequest.json).toMatchObject({ model: 'gpt-4o-mini', messages });
    expect(first.providerResponse.status).toBe(200);
    expect(first.providerResponse.json).toMatchObject({ usage: { prompt_tokens: 11, completion_tokens: 3 } });
    const startMs = first.timing.startTime.seconds * 1000 + first.timing.startTime.milliseconds;
    const endMs = first.timing.endTime.seconds * 1000 + first.timing.endTime.milliseconds;
    expect(endMs).toBeGreaterThanOrEqual(startMs);
    // Bodies omitted: only the model and the usage travel.
    expect(second.providerRequest.json).toEqual({ model: 'gpt-4o-mini' });
    expect(JSON.stringify(second)).not.toContain('second answer');
    expect(JSON.stringify(second)).not.toContain('hello brave new world');
    expect(second.providerResponse.json).toHaveProperty('usage');
  });

  it('does not log a record twice when its batch is retried after a later record failed', async () => {
    const helicone = await start([200, 503]);
    const sluice = createSluice({ exporters: [{ exporter: heliconeExporter({ apiKey: 'sk-helicone-test-key', url: helicone.url }), queue: { minRetryDelayMs: 1, maxRetryDelayMs: 2, maxBatchSize: 2 } }] });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'one' }, { kind: 'reply', content: 'two' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.close();
    expect(helicone.seen.map((entry) => entry.status)).toEqual([200, 503, 200]);
    expect(helicone.stored.map((log) => (log.providerResponse.json as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content)).toEqual(['one', 'two']);
  });

  it('drops a batch Helicone refuses for good (400) without retrying, and counts it', async () => {
    const helicone = await start([401]);
    const sluice = createSluice({ exporters: [{ exporter: heliconeExporter({ apiKey: 'sk-helicone-test-key', url: helicone.url }), queue: { minRetryDelayMs: 1, maxRetryDelayMs: 2 } }] });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'x' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.close();
    expect(helicone.seen).toHaveLength(1);
    expect(sluice.stats.exportDropped).toBe(1);
  });

  it('sends a stream\'s usage as JSON and its text as textBody, with time to first token', () => {
    const log = toHeliconeLog({
      id: 'sl_1', startedAt: 1_700_000_000_123, dialect: 'openai', operation: 'chat', requestedModel: 'gpt-4o', provider: 'openai', model: 'gpt-4o',
      status: 200, outcome: 'completed', streamed: true, latencyMs: 250.4, ttftMs: 40.2, overheadMs: 1, phases: { requestMs: 0, upstreamMs: 1, responseMs: 0 },
      usage: { inputTokens: 5, outputTokens: 7, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null }, usagePartial: false, usageEstimated: false,
      costUsd: null, pricing: null, user: null, session: null, tags: ['beta'], metadata: null, error: null, attempts: [], cache: null, guard: [],
      requestBody: '{"model":"gpt-4o","stream":true}', responseBody: 'data: {"choices":[]}\n\ndata: [DONE]\n\n', region: null, zeroRetention: false,
    });
    expect(heliconeLog.safeParse(log).success).toBe(true);
    expect(log.providerResponse.json).toEqual({ model: 'gpt-4o', usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } });
    expect(log.providerResponse.textBody).toContain('[DONE]');
    expect(log.timing).toEqual({ startTime: { seconds: 1_700_000_000, milliseconds: 123 }, endTime: { seconds: 1_700_000_000, milliseconds: 373 }, timeToFirstToken: 40 });
    expect(log.providerRequest.meta).toEqual({ 'Helicone-Property-Tags': 'beta', 'Helicone-Property-Provider': 'openai' });
  });
});
