import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest } from '../../../src/wire/chat/types.js';
import type { OutboundOptions, StreamDecoder, Translated } from '../../../src/wire/codec.js';
import { ollamaProvider } from '../../../src/wire/ollama/codec.js';

const text = (name: string): string => readFileSync(new URL(`../../fixtures/ollama/${name}`, import.meta.url), 'utf8');
const options: OutboundOptions = { model: 'llama3.2', provider: 'local', defaultMaxTokens: 4096 };

function ok<T>(result: Translated<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

/** Splits NDJSON bytes into lines however they arrive, and feeds each to a fresh decoder. */
function decode(pieces: readonly string[]): { chunks: ChatChunk[]; decoder: StreamDecoder } {
  const decoder = ollamaProvider.createDecoder();
  const chunks: ChatChunk[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending += piece;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      chunks.push(...decoder.push({ event: null, data: pending.slice(0, newline) }));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  if (pending !== '') chunks.push(...decoder.push({ event: null, data: pending }));
  return { chunks, decoder };
}

describe('ollamaProvider.writeRequest', () => {
  it('writes messages, images, tools, format, options and think', () => {
    const request: ChatRequest = {
      model: 'x',
      stream: true,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is in this image?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Look at it.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_temperature', arguments: '{"city":"New York"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '22°C' },
      ],
      tools: [{ type: 'function', function: { name: 'get_temperature', description: 'Get the current temperature for a city', parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } }, strict: true } }],
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object', properties: { age: { type: 'integer' } } } } },
      temperature: 0,
      top_p: 0.9,
      top_k: 20,
      max_tokens: 100,
      stop: ['\n', 'user:'],
      seed: 101,
      presence_penalty: 1.5,
      frequency_penalty: 1,
      reasoning_effort: 'high',
    };
    expect(ok(ollamaProvider.writeRequest(request, options))).toEqual({
      model: 'llama3.2',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'what is in this image?', images: ['iVBORw0KGgo'] },
        {
          role: 'assistant',
          content: '',
          thinking: 'Look at it.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { index: 0, name: 'get_temperature', arguments: { city: 'New York' } } }],
        },
        { role: 'tool', content: '22°C', tool_call_id: 'call_1', tool_name: 'get_temperature' },
      ],
      tools: [{ type: 'function', function: { name: 'get_temperature', description: 'Get the current temperature for a city', parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string' } } } } }],
      format: { type: 'object', properties: { age: { type: 'integer' } } },
      options: { temperature: 0, top_p: 0.9, top_k: 20, num_predict: 100, stop: ['\n', 'user:'], seed: 101, presence_penalty: 1.5, frequency_penalty: 1 },
      think: 'high',
    });
  });

  it('sends stream: false unless asked, JSON mode as "json", and tool_choice none as no tools', () => {
    const body = ok(
      ollamaProvider.writeRequest(
        { model: 'x', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none', reasoning_effort: 'none' },
        options,
      ),
    );
    expect(body).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false, format: 'json', think: false });
  });

  it.each<[string, Partial<ChatRequest>, string]>([
    ['an https image', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0].image_url.url'],
    ['a forced tool call', { tool_choice: 'required' }, 'tool_choice'],
    ['several choices', { n: 2 }, 'n'],
    ['audio input', { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages[0].content[0].type'],
  ])('refuses %s with a 400 naming the field', (_name, extra, param) => {
    const result = ollamaProvider.writeRequest({ model: 'x', messages: [{ role: 'user', content: 'x' }], ...extra }, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ status: 400, param });
  });
});

describe('ollamaProvider.readResponse', () => {
  it('reads the documented tool-call answer', () => {
    expect(ok(ollamaProvider.readResponse(JSON.parse(text('chat-tools-response.json'))))).toEqual({
      id: '',
      object: 'chat.completion',
      created: 1721680408,
      model: 'llama3.2',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } }] },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 122, completion_tokens: 33, total_tokens: 155 },
    });
  });

  it('reads the documented structured answer, and thinking and length', () => {
    const response = ok(ollamaProvider.readResponse(JSON.parse(text('chat-structured-response.json'))));
    expect(response.choices[0]).toMatchObject({ message: { content: '{"age": 22, "available": false}' }, finish_reason: 'stop' });
    expect(response.usage).toEqual({ prompt_tokens: 34, completion_tokens: 12, total_tokens: 46 });
    const long = ok(ollamaProvider.readResponse({ model: 'qwen3', message: { role: 'assistant', content: 'cut', thinking: 'hmm' }, done: true, done_reason: 'length', eval_count: 5 }));
    expect(long.choices[0]).toMatchObject({ message: { content: 'cut', reasoning_content: 'hmm' }, finish_reason: 'length' });
  });

  it('answers 502 for an error body with a success status', () => {
    expect(ollamaProvider.readResponse({ error: 'boom' })).toMatchObject({ ok: false, error: { status: 502 } });
  });
});

describe('Ollama stream decoder', () => {
  it('decodes the documented stream, the final line carrying the counts', () => {
    const { chunks, decoder } = decode([text('chat-stream.ndjson')]);
    const base = { id: '', object: 'chat.completion.chunk', model: 'llama3.2' };
    expect(chunks).toEqual([
      { ...base, created: 1691164339, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...base, created: 1691164339, choices: [{ index: 0, delta: { content: 'The' }, finish_reason: null }] },
      { ...base, created: 1691164339, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { ...base, created: 1691164339, choices: [], usage: { prompt_tokens: 26, completion_tokens: 282, total_tokens: 308 } },
    ]);
    expect(decoder.done).toBe(true);
  });

  it('decodes a whole tool call and gives identical chunks however the lines are split', () => {
    const source = text('chat-stream-tool-call.ndjson');
    const whole = decode([source]);
    expect(whole.chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))).toEqual([
      { index: 0, id: 'call_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } },
    ]);
    expect(whole.chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(whole.chunks.at(-1)?.usage).toEqual({ prompt_tokens: 122, completion_tokens: 33, total_tokens: 155 });
    for (let at = 1; at < source.length; at++) expect(decode([source.slice(0, at), source.slice(at)]).chunks).toEqual(whole.chunks);
  });

  it('streams thinking and keeps tool call ids Ollama gave', () => {
    const { chunks } = decode([
      '{"model":"qwen3","created_at":"2025-12-25T14:18:57.522402Z","message":{"role":"assistant","content":"","thinking":"Let me see"},"done":false}\n',
      '{"model":"qwen3","created_at":"2025-12-25T14:18:57.522402Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_etugzc4r","function":{"index":0,"name":"fib","arguments":{"n":"10"}}}]},"done":false}\n',
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Let me see' },
      { tool_calls: [{ index: 0, id: 'call_etugzc4r', type: 'function', function: { name: 'fib', arguments: '{"n":"10"}' } }] },
    ]);
  });

  it('reports an error line as the stream error and is not done', () => {
    const { chunks, decoder } = decode(['{"model":"llama3.2","created_at":"2023-08-04T08:52:19Z","message":{"role":"assistant","content":"The"},"done":false}\n{"error":"an error was encountered while running the model: unexpected EOF"}\n']);
    expect(chunks).toHaveLength(2);
    expect(decoder.error).toEqual({ kind: 'server', status: 500, message: 'an error was encountered while running the model: unexpected EOF', code: null });
    expect(decoder.done).toBe(false);
  });
});

describe('ollamaProvider.readError', () => {
  it.each([
    [404, { error: 'model "llama3.3" not found, try pulling it first' }, 'not_found', 'model "llama3.3" not found, try pulling it first'],
    [400, { error: 'invalid format: expected "json" or a valid JSON schema' }, 'invalid_request', 'invalid format: expected "json" or a valid JSON schema'],
    [429, { error: 'too many requests' }, 'rate_limit', 'too many requests'],
    [500, { error: 'llama runner process has terminated: exit status 2' }, 'server', 'llama runner process has terminated: exit status 2'],
    [502, '<html>Bad Gateway</html>', 'server', 'HTTP 502'],
    [503, 'server busy, please try again.  maximum pending requests exceeded', 'overloaded', 'server busy, please try again.  maximum pending requests exceeded'],
  ])('reads %i %j', (status, body, kind, message) => {
    expect(ollamaProvider.readError(status, body)).toEqual({ kind, status, message, code: null });
  });
});
