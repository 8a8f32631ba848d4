/**
 * Stream events of any size: one event of tens of MiB goes through byte-identical (and in linear time,
 * measured in bench/large-event.ts), and `stream.maxEventBytes` ends a runaway stream with the
 * dialect's error event, which the SDK raises, instead of buffering without bound.
 */
import Anthropic from '@anthropic-ai/sdk';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { SluiceConfigError } from '../../src/core/errors.js';
import { type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const encoder = new TextEncoder();
const CHUNK_BYTES = 16 * 1024;
const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };

function pieces(bytes: Uint8Array, size = CHUNK_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.subarray(offset, offset + size));
  return out;
}

/** A Responses stream whose `response.completed` event repeats an answer of about `textBytes` bytes. */
function responsesStream(textBytes: number): { bytes: Uint8Array; text: string } {
  const text = 'Grüße, wörld! \\ "quoted" '.repeat(Math.ceil(textBytes / 27)).slice(0, textBytes);
  const response = {
    id: 'resp_big',
    object: 'response',
    created_at: 1,
    status: 'completed',
    model: 'gpt-4.1',
    output: [{ type: 'message', id: 'msg_big', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }],
    usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
  };
  const created = { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } };
  const body =
    `event: response.created\ndata: ${JSON.stringify(created)}\n\n` +
    `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 1, response })}\n\n`;
  return { bytes: encoder.encode(body), text };
}

function chatEvent(content: string): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-big', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

describe('one large event', () => {
  it('passes a 32 MiB Responses event through byte-identical, in 16 KiB chunks, and reads its usage', async () => {
    const { bytes } = responsesStream(32 * 1024 * 1024);
    mock.script({ kind: 'raw', status: 200, headers: SSE, body: pieces(bytes) });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const response = await sluice.fetch(`${mock.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client-key' },
      body: JSON.stringify({ model: 'gpt-4.1', input: 'hi', stream: true }),
    });
    const received = new Uint8Array(await response.arrayBuffer());
    expect(received.length).toBe(bytes.length);
    expect(Buffer.compare(received, bytes)).toBe(0);
    expect(await ended).toMatchObject({ outcome: 'completed', usage: { inputTokens: 5, outputTokens: 7 } });
  });

  it('hands the OpenAI SDK a large completed event whole', async () => {
    const { bytes, text } = responsesStream(2 * 1024 * 1024);
    mock.script({ kind: 'raw', status: 200, headers: SSE, body: pieces(bytes) });
    const sluice = createSluice({ record: { maxBodyChars: 100 } });
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    let completedText = '';
    for await (const event of stream) {
      const part = event.type === 'response.completed' ? event.response.output[0] : undefined;
      if (part?.type === 'message' && part.content[0]?.type === 'output_text') completedText = part.content[0].text;
    }
    expect(completedText.length).toBe(text.length);
    expect(completedText === text).toBe(true);
    const record = await ended;
    expect(record.outcome).toBe('completed');
    // The record keeps the start of the stream, cut at maxBodyChars.
    expect(record.responseBody).toBe(new TextDecoder().decode(bytes).slice(0, 100));
  });
});

describe('stream.maxEventBytes', () => {
  it('ends a Chat Completions stream with an error the OpenAI SDK raises, and records errored', async () => {
    const body = [chatEvent('Hello'), ...pieces(encoder.encode(chatEvent('x'.repeat(200 * 1024)))), chatEvent('late'), 'data: [DONE]\n\n'];
    mock.script({ kind: 'raw', status: 200, headers: SSE, body });
    const sluice = createSluice({ stream: { maxEventBytes: 64 * 1024 } });
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('larger than 65536 bytes (stream.maxEventBytes)');
    expect(seen).toEqual(['Hello']);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'errored', error: { class: 'stream_error' } });
    expect(record.error?.message).toContain('stream.maxEventBytes');
  });

  it('cancels upstream when an event never ends', async () => {
    let pulls = 0;
    let cancelled = false;
    const filler = encoder.encode('x'.repeat(CHUNK_BYTES));
    const upstream: typeof fetch = () => {
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulls++;
            // Bounded: the limit is passed after a handful of pulls; stop anyway after many more.
            if (pulls > 10_000) controller.close();
            else controller.enqueue(pulls === 1 ? encoder.encode('event: response.output_text.delta\ndata: {"delta":"') : filler);
          },
          cancel() {
            cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      return Promise.resolve(new Response(body, { status: 200, headers: SSE }));
    };
    const sluice = createSluice({ fetch: upstream, stream: { maxEventBytes: 100_000 } });
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, 'http://127.0.0.1:9/v1').responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    const types: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of stream) types.push(event.type);
      })(),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('a stream event was larger than 100000 bytes (stream.maxEventBytes)');
    // None of the oversized event reached the SDK.
    expect(types).toEqual([]);
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(20);
    expect(await ended).toMatchObject({ outcome: 'errored', error: { class: 'stream_error' } });
  });

  it('ends a translated stream (OpenAI SDK, Anthropic provider) with the SDK error', async () => {
    const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } })}\n\n`;
    const huge = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'y'.repeat(100_000) } })}\n\n`;
    mock.script({ kind: 'raw', status: 200, headers: SSE, body: [start, ...pieces(encoder.encode(huge))] });
    const sluice = createSluice({ providers: { an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k' } }, stream: { maxEventBytes: 32 * 1024 }, env: {} });
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'an/claude-sonnet-4-5', messages, stream: true });
    const error = await rejection(
      (async () => {
        for await (const _chunk of stream) {
          // read to the error
        }
      })(),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('stream.maxEventBytes');
    expect((await ended).outcome).toBe('errored');
  });

  it('ends a decoded pass-through stream (Anthropic SDK and provider) with the SDK error', async () => {
    const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } })}\n\n`;
    const huge = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'y'.repeat(100_000) } })}\n\n`;
    mock.script({ kind: 'raw', status: 200, headers: SSE, body: [start, ...pieces(encoder.encode(huge))] });
    const sluice = createSluice({ stream: { maxEventBytes: 32 * 1024 } });
    const ended = nextRecord(sluice);
    const client = new Anthropic({ baseURL: mock.url, apiKey: 'client-key', maxRetries: 0, fetch: sluice.fetch });
    const stream = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages, stream: true });
    const error = await rejection(
      (async () => {
        for await (const _event of stream) {
          // read to the error
        }
      })(),
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as Error).message).toContain('stream.maxEventBytes');
    expect((await ended).outcome).toBe('errored');
  });

  it('is validated at createSluice', () => {
    expect(() => createSluice({ stream: { maxEventBytes: 0 } })).toThrow(SluiceConfigError);
    expect(() => createSluice({ stream: { maxEventBytes: 1.5 } })).toThrow(/stream\.maxEventBytes/);
  });
});
