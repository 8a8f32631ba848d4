import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { cache } from '../../src/plugins/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, streamError, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

afterEach(() => {
  vi.useRealTimers();
});

describe('calls that must not hang or fail for the wrong reason (issue 10, finding 6)', () => {
  it('cache() steps aside for a 20,000-level nested body instead of failing the call', async () => {
    const sluice = createSluice({ use: [cache()] });
    const depth = 20_000;
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"response_format":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const recorded = nextRecord(sluice);
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body });
    expect(response.status).toBe(200);
    await response.text();
    const record = await recorded;
    expect(record.outcome).toBe('completed');
    expect(record.cache?.status).toBe('bypass');
    await sluice.close();
  });

  it.each([
    ['missing', { messages }],
    ['not a string', { model: 42, messages }],
  ])("unknownModel: 'reject' refuses a body whose model is %s, and nothing goes upstream", async (_name, payload) => {
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'configured-key' } }, unknownModel: 'reject' });
    const recorded = nextRecord(sluice);
    const response = await sluice.fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sdk-key' },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('sluice_unknown_model');
    expect(json.error.message).toMatch(/model/);
    expect((await recorded).outcome).toBe('failed');
    expect(mock.requests).toHaveLength(0);
    await sluice.close();
  });
});

describe('stream time limits (issue 10, finding 6)', () => {
  const keepAliveStream = (count: number): string[] => [
    'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
    ...Array.from({ length: count }, () => ': keep-alive\n\n'),
  ];

  it('a keep-alive-only stream ends at the default idle limit: comments do not reset it', async () => {
    const sluice = createSluice({ timeouts: { idleMs: 400 } });
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, chunkDelayMs: 100, body: keepAliveStream(40) });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const error = await streamError(stream);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/sent nothing for 400 ms/);
    const record = await recorded;
    expect(record.outcome).toBe('errored');
    await sluice.close();
  });

  it('keep-alive comments reset the idle limit when configured to', async () => {
    const sluice = createSluice({ timeouts: { idleMs: 400, keepAliveResetsIdle: true } });
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, chunkDelayMs: 50, body: [...keepAliveStream(12), 'data: [DONE]\n\n'] });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _ of stream) void _;
    expect((await recorded).outcome).toBe('completed');
    await sluice.close();
  });

  it('streamTotalMs ends a stream that keeps sending past it', async () => {
    const sluice = createSluice({ timeouts: { streamTotalMs: 300 } });
    mock.script({ kind: 'reply', content: Array.from({ length: 60 }, (_, index) => `w${index}`).join(' '), chunkDelayMs: 20 });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const error = await streamError(stream);
    expect(String((error as Error | null)?.message)).toMatch(/300 ms/);
    const record = await recorded;
    expect(record.outcome).toBe('errored');
    await sluice.close();
  });

  it('streams have a default idle limit', async () => {
    const { parseConfig } = await import('../../src/config/parse.js');
    expect(parseConfig({}).timeouts.idleMs).toBe(600_000);
  });
});
