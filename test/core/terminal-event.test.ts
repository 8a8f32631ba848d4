import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { cache } from '../../src/plugins/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import type { CallRecord } from '../../src/events/record.js';
import { nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const decoder = new TextDecoder();

/**
 * Reads a stream the way openai@7 does: until the dialect's terminal event, then cancels the body
 * before EOF (or aborts the request), never reading the end of the stream.
 */
async function readUntil(response: Response, terminal: string, stop: 'cancel' | 'abort', controller: AbortController): Promise<string> {
  const reader = response.body!.getReader();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before the reader stopped; text: ${text}`);
    text += decoder.decode(value, { stream: true });
    if (text.includes(terminal)) break;
  }
  if (stop === 'cancel') await reader.cancel();
  else controller.abort();
  return text;
}

interface Case {
  name: string;
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  terminal: string;
}

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], stream: true };
const cases: Case[] = [
  { name: 'Chat Completions, usage hidden', path: '/v1/chat/completions', body: chatBody, headers: { authorization: 'Bearer k' }, terminal: '[DONE]' },
  {
    name: 'Chat Completions, usage asked by the SDK',
    path: '/v1/chat/completions',
    body: { ...chatBody, stream_options: { include_usage: true } },
    headers: { authorization: 'Bearer k' },
    terminal: '[DONE]',
  },
  { name: 'Responses', path: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'hello', stream: true }, headers: { authorization: 'Bearer k' }, terminal: 'response.completed' },
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    body: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }], stream: true },
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    terminal: 'message_stop',
  },
];

async function call(sluice: ReturnType<typeof createSluice>, testCase: Case, stop: 'cancel' | 'abort'): Promise<{ record: CallRecord; text: string }> {
  const controller = new AbortController();
  const recorded = nextRecord(sluice);
  const response = await sluice.fetch(`${mock.url}${testCase.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...testCase.headers },
    body: JSON.stringify(testCase.body),
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const text = await readUntil(response, testCase.terminal, stop, controller);
  return { record: await recorded, text };
}

describe('a stream the SDK stops reading after its terminal event (openai@7)', () => {
  for (const testCase of cases) {
    for (const stop of ['cancel', 'abort'] as const) {
      it(`${testCase.name}, ${stop} after the terminal event: the call is completed, with its usage`, async () => {
        const successes: CallRecord[] = [];
        const failures: CallRecord[] = [];
        const sluice = createSluice({
          callbacks: [{ logSuccessEvent: (record) => void successes.push(record), logFailureEvent: (record) => void failures.push(record) }],
        });
        const { record } = await call(sluice, testCase, stop);
        expect(record.outcome).toBe('completed');
        expect(record.error).toBeNull();
        expect(record.usagePartial).toBe(false);
        expect(record.usage.outputTokens).toBeGreaterThan(0);
        await sluice.flush();
        expect(successes).toHaveLength(1);
        expect(failures).toHaveLength(0);
        await sluice.close();
      });
    }
  }

  it('a stream cancelled before its terminal event is still cancelled', async () => {
    const sluice = createSluice();
    mock.script({ kind: 'reply', content: 'one two three four five six seven eight', chunkDelayMs: 5 });
    const controller = new AbortController();
    const recorded = nextRecord(sluice);
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify(chatBody),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const record = await recorded;
    expect(record.outcome).toBe('cancelled');
    await sluice.close();
  });

  it('translated to Anthropic, cancelled after [DONE]: completed', async () => {
    const sluice = createSluice({ providers: { an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k-123456789' } } });
    const { record } = await call(sluice, { ...cases[0]!, body: { ...chatBody, model: 'an/claude-sonnet-4-5' } }, 'cancel');
    expect(record.outcome).toBe('completed');
    expect(record.usagePartial).toBe(false);
    await sluice.close();
  });

  it('the cache stores a stream cancelled after its terminal event, and the next call is a hit', async () => {
    const sluice = createSluice({ use: [cache()] });
    const first = await call(sluice, cases[0]!, 'cancel');
    expect(first.record.outcome).toBe('completed');
    await sluice.flush();
    const second = await call(sluice, cases[0]!, 'cancel');
    expect(second.record.cache?.status).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });
});
