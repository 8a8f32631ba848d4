import { APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

describe('abort', () => {
  it('turns a caller abort before the headers into APIUserAbortError, aborts upstream and records cancelled', async () => {
    mock.script({ kind: 'hang' });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const controller = new AbortController();
    const call = clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal });
    const upstream = await mock.waitForRequest(0);
    controller.abort();
    expect(await rejection(call)).toBeInstanceOf(APIUserAbortError);
    await upstream.done;
    expect(upstream.aborted).toBe(true);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'cancelled', status: null, error: { class: 'abort' } });
  });

  it('cancels upstream when the caller breaks out of a stream, and records cancelled with partial usage', async () => {
    mock.script({ kind: 'stall', afterChunks: 2 });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks++;
      break;
    }
    expect(chunks).toBe(1);
    const upstream = mock.requests[0]!;
    await upstream.done;
    expect(upstream.aborted).toBe(true);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'cancelled', streamed: true, usagePartial: true, error: { class: 'abort' } });
    expect(record.ttftMs).not.toBeNull();
  });

  it('records cancelled when the caller aborts mid-stream with its signal', async () => {
    mock.script({ kind: 'stall', afterChunks: 2 });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const controller = new AbortController();
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.id);
        if (seen.length === 2) controller.abort();
      }
    })();
    await reading.catch(() => undefined);
    expect(seen).toHaveLength(2);
    await mock.requests[0]!.done;
    expect(mock.requests[0]!.aborted).toBe(true);
    expect(await ended).toMatchObject({ outcome: 'cancelled', usagePartial: true });
  });
});

describe('stream failures', () => {
  it('makes the SDK throw on a mid-stream error event, and records errored with the message', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 2, message: 'The model crashed mid-answer.' });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let chunks = 0;
    const error = await rejection(
      (async () => {
        for await (const _chunk of stream) chunks++;
      })(),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('The model crashed mid-answer.');
    expect(chunks).toBe(2);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'errored', status: 200, usagePartial: true, error: { class: 'stream_error', message: 'The model crashed mid-answer.' } });
  });

  it('records errored when the connection resets mid-stream', async () => {
    mock.script({ kind: 'reset-mid-stream', afterChunks: 2 });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const error = await rejection(
      (async () => {
        for await (const _chunk of stream) {
          // read to the break
        }
      })(),
    );
    expect(error).toBeInstanceOf(Error);
    expect(await ended).toMatchObject({ outcome: 'errored', usagePartial: true, error: { class: 'stream_error' } });
  });

  it('records errored when a Responses stream carries an error event', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 3, message: 'Responses backend failed.' });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    const types: string[] = [];
    // The SDK hands a Responses `error` event to the caller rather than throwing.
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('error');
    expect(await ended).toMatchObject({ outcome: 'errored', usagePartial: true, error: { class: 'stream_error', message: 'Responses backend failed.' } });
  });
});

describe('truncation', () => {
  it('records a stream that ends without [DONE] as errored, never as completed', async () => {
    const chunk = (content: string): string =>
      `data: {"id":"chatcmpl-t","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, body: [chunk('Hel'), chunk('lo')] });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello');
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'errored', usagePartial: true, error: { class: 'stream_error' } });
    expect(record.error?.message).toMatch(/terminator/);
  });
});
