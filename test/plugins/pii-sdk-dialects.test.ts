import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { pii } from '../../src/plugins/pii/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const EMAIL = 'jane.doe@example.com';
const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };

function anthropicClient(): { client: Anthropic; sluice: ReturnType<typeof createSluice> } {
  const sluice = createSluice({ use: [pii()] });
  return { sluice, client: new Anthropic({ baseURL: mock.url, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0, logLevel: 'off' }) };
}

function geminiClient(): GoogleGenAI {
  const sluice = createSluice({ use: [pii()] });
  return new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url, fetch: sluice.fetch } });
}

describe('pii() through the Anthropic SDK', () => {
  it('redacts the request and restores the JSON answer', async () => {
    const { client, sluice } = anthropicClient();
    const ended = nextRecord(sluice);
    mock.script({ kind: 'reply', content: 'Sure, I will email <EMAIL_1> now.' });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: 'Escalate to ops@example.com',
      messages: [{ role: 'user', content: `Please email ${EMAIL}.` }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Sure, I will email ops@example.com now.' }]);
    expect(mock.requests[0]!.body).toMatchObject({ system: 'Escalate to <EMAIL_1>', messages: [{ role: 'user', content: 'Please email <EMAIL_2>.' }] });
    expect((await ended).requestBody).not.toContain(EMAIL);
  });

  it('restores a placeholder split across two text_delta events', async () => {
    const { client } = anthropicClient();
    const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    mock.script({
      kind: 'raw',
      status: 200,
      headers: SSE,
      body: [
        event('message_start', { message: { id: 'msg_01X', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Sure, I will email <EMA' } }),
        event('ping', {}),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'IL_1> now.' } }),
        event('content_block_stop', { index: 0 }),
        event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } }),
        event('message_stop', {}),
      ],
    });
    const stream = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, stream: true, messages: [{ role: 'user', content: `Please email ${EMAIL}.` }] });
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(text).toBe(`Sure, I will email ${EMAIL} now.`);
  });
});

describe('pii() through the Google Gen AI SDK', () => {
  it('redacts the request and restores the JSON answer', async () => {
    const genai = geminiClient();
    mock.script({ kind: 'reply', content: 'Sure, I will email <EMAIL_2> now.' });
    const response = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: `Please email ${EMAIL}.`, config: { systemInstruction: 'Escalate to ops@example.com' } });
    expect(response.text).toBe(`Sure, I will email ${EMAIL} now.`);
    expect(mock.requests[0]!.bodyText).not.toContain(EMAIL);
  });

  it('restores a placeholder split across two streamed chunks', async () => {
    const genai = geminiClient();
    const chunk = (text: string, finish?: string): string =>
      `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish === undefined ? {} : { finishReason: finish }) }], modelVersion: 'gemini-2.5-flash' })}\r\n\r\n`;
    mock.script({ kind: 'raw', status: 200, headers: SSE, body: [chunk('Sure, I will email <EMA'), chunk('IL_1> now.', 'STOP')] });
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: `Please email ${EMAIL}.` });
    let text = '';
    for await (const response of stream) text += response.text ?? '';
    expect(text).toBe(`Sure, I will email ${EMAIL} now.`);
  });
});
