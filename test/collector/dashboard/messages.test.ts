import { describe, expect, it } from 'vitest';
import { extractMessages } from '../../../src/collector/dashboard/client/messages.js';
import { attemptKind } from '../../../src/collector/dashboard/client/pages/record.js';
import { recordsOfEvent } from '../../../src/collector/dashboard/client/pages/tail.js';
import { makeRecord } from '../../helpers/record.js';

describe('dashboard conversation view', () => {
  it('reads OpenAI chat requests and answers, content parts included', () => {
    expect(extractMessages(JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'x' } }] }] }))).toEqual([
      { role: 'system', text: 'Be brief.' },
      { role: 'user', text: 'hi\n[image_url]' },
    ]);
    expect(extractMessages(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Hello.' } }] }))).toEqual([{ role: 'assistant', text: 'Hello.' }]);
  });

  it('reads Anthropic and Gemini shapes with their system prompts', () => {
    expect(extractMessages(JSON.stringify({ system: 'S', messages: [{ role: 'user', content: 'q' }] }))).toEqual([{ role: 'system', text: 'S' }, { role: 'user', text: 'q' }]);
    expect(extractMessages(JSON.stringify({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'a' }] }))).toEqual([{ role: 'assistant', text: 'a' }]);
    expect(extractMessages(JSON.stringify({ systemInstruction: { parts: [{ text: 'S' }] }, contents: [{ role: 'user', parts: [{ text: 'q' }] }] }))).toEqual([{ role: 'system', text: 'S' }, { role: 'user', text: 'q' }]);
    expect(extractMessages(JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'a' }] } }] }))).toEqual([{ role: 'model', text: 'a' }]);
  });

  it('leaves what it does not recognise to the raw view', () => {
    expect(extractMessages(null)).toBeNull();
    expect(extractMessages('data: {"x":1}\n\n')).toBeNull();
    expect(extractMessages(JSON.stringify({ input: [1, 2] }))).toBeNull();
    expect(extractMessages('[]')).toBeNull();
  });
});

describe('dashboard record helpers', () => {
  it('names each attempt after the first a retry (same target) or a fallback (another)', () => {
    const attempt = (provider: string, model: string) => ({ provider, model, keyId: null, status: 500, errorClass: 'http_error', latencyMs: 1, sentAfterMs: 0 });
    const attempts = [attempt('a', 'm'), attempt('a', 'm'), attempt('b', 'm')];
    expect(attempts.map((_, index) => attemptKind(attempts, index))).toEqual(['first', 'retry', 'fallback']);
  });

  it('reads tail events carrying a record, a list, or nothing usable', () => {
    const record = makeRecord();
    expect(recordsOfEvent(JSON.stringify(record))).toEqual([record]);
    expect(recordsOfEvent(JSON.stringify({ records: [record, { id: 1 }] }))).toEqual([record]);
    expect(recordsOfEvent('not json')).toEqual([]);
    expect(recordsOfEvent('null')).toEqual([]);
  });
});
