import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restoreJsonBody, restoreJsonText, restoreSseStream, restoreText, SseRestorer } from '../../src/plugins/pii/restore.js';

const placeholders = new Map([
  ['<EMAIL_1>', 'jane.doe@example.com'],
  ['<EMAIL_2>', 'bob@example.org'],
  ['<PHONE_1>', '+1 415 555 2671'],
  ['<SECRET_1>', 'q"8\\Zr\n2'],
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('restoreText and restoreJsonText', () => {
  it('replaces known placeholders and leaves unknown ones', () => {
    expect(restoreText('to <EMAIL_1>, <EMAIL_9> and <email_1>', placeholders)).toBe('to jane.doe@example.com, <EMAIL_9> and <email_1>');
  });

  it('restores \\u003c / \\u003e escaped placeholders in JSON text, JSON-escaping the value', () => {
    const body = JSON.stringify({ text: 'HERE' }).replace('HERE', '\\u003cEMAIL_1\\u003e and \\u003CSECRET_1\\u003E and <PHONE_1>');
    const restored = restoreJsonText(body, placeholders);
    expect(JSON.parse(restored)).toEqual({ text: 'jane.doe@example.com and q"8\\Zr\n2 and +1 415 555 2671' });
  });

  it('leaves an escaped backslash followed by u003c alone', () => {
    const body = '{"text":"\\\\u003cEMAIL_1\\u003e"}';
    expect(restoreJsonText(body, placeholders)).toBe(body);
  });

  it('parses the body when a value needs escaping inside tool-call arguments', () => {
    const answer = {
      choices: [{ message: { content: 'sent to <SECRET_1>', tool_calls: [{ function: { name: 'send', arguments: JSON.stringify({ to: '<SECRET_1>' }) } }] } }],
    };
    const restored = JSON.parse(restoreJsonBody(JSON.stringify(answer), placeholders)) as typeof answer;
    const message = restored.choices[0]!.message;
    expect(message.content).toBe('sent to q"8\\Zr\n2');
    expect(JSON.parse(message.tool_calls[0]!.function.arguments)).toEqual({ to: 'q"8\\Zr\n2' });
  });

  it('is the identity on text without placeholders', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        fc.pre(![...placeholders.keys()].some((key) => text.includes(key)));
        expect(restoreText(text, placeholders)).toBe(text);
        const json = JSON.stringify({ text });
        expect(restoreJsonBody(json, placeholders)).toBe(json);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Streams in each dialect, from documented shapes (providers.md §1.6, §2.3, §3.6, §4.5)

interface Dialect {
  name: string;
  /** Builds the SSE text of a stream whose text arrives in these deltas. */
  stream(deltas: readonly string[]): string;
  /** Reads back the text the SDK would show. */
  text(sse: string): string;
}

function events(sse: string): Array<{ event: string | null; data: string }> {
  return sse
    .split(/\r\n\r\n|\n\n/)
    .filter((block) => block.trim() !== '')
    .flatMap((block) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split(/\r\n|\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      return data.length === 0 ? [] : [{ event, data: data.join('\n') }];
    });
}

const openai: Dialect = {
  name: 'OpenAI chat',
  stream(deltas) {
    const chunk = (delta: object, finish: string | null): string =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    return [chunk({ role: 'assistant', content: '' }, null), ...deltas.map((content) => chunk({ content }, null)), chunk({}, 'stop'), 'data: [DONE]\n\n'].join('');
  },
  text(sse) {
    let out = '';
    for (const { data } of events(sse)) {
      if (data === '[DONE]') continue;
      const parsed = JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> };
      out += parsed.choices[0]?.delta.content ?? '';
    }
    return out;
  },
};

const anthropic: Dialect = {
  name: 'Anthropic',
  stream(deltas) {
    const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    return [
      event('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 25, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      // A keep-alive between two deltas must not end the text.
      ...deltas.flatMap((text, index) => [
        ...(index === 1 ? [event('ping', {})] : []),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
      ]),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 42 } }),
      event('message_stop', {}),
    ].join('');
  },
  text(sse) {
    let out = '';
    for (const { data } of events(sse)) {
      const parsed = JSON.parse(data) as { type: string; delta?: { type: string; text?: string } };
      if (parsed.type === 'content_block_delta' && parsed.delta?.type === 'text_delta') out += parsed.delta.text;
    }
    return out;
  },
};

const gemini: Dialect = {
  name: 'Gemini',
  stream(deltas) {
    return deltas
      .map((text, index) => {
        const last = index === deltas.length - 1;
        const candidate = { content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) };
        return `data: ${JSON.stringify({ candidates: [candidate], modelVersion: 'gemini-2.5-flash' })}\r\n\r\n`;
      })
      .join('');
  },
  text(sse) {
    let out = '';
    for (const { data } of events(sse)) {
      const parsed = JSON.parse(data) as { candidates: Array<{ content: { parts: Array<{ text?: string }> } }> };
      for (const part of parsed.candidates[0]!.content.parts) out += part.text ?? '';
    }
    return out;
  },
};

const responses: Dialect = {
  name: 'OpenAI Responses',
  stream(deltas) {
    let sequence = 0;
    const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
    const full = deltas.join('');
    return [
      event('response.created', { response: { id: 'resp_1', status: 'in_progress', output: [] } }),
      event('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } }),
      ...deltas.map((delta) => event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta, logprobs: [] })),
      event('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: full }),
      event('response.completed', { response: { id: 'resp_1', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: full }] }] } }),
    ].join('');
  },
  text(sse) {
    let streamed = '';
    let done = '';
    for (const { data } of events(sse)) {
      const parsed = JSON.parse(data) as { type: string; delta?: string; text?: string };
      if (parsed.type === 'response.output_text.delta') streamed += parsed.delta;
      if (parsed.type === 'response.output_text.done') done = parsed.text!;
    }
    // The SDK shows the deltas; `done` carries the whole text and must agree.
    expect(done).toBe(streamed);
    return streamed;
  },
};

const dialects = [openai, anthropic, gemini, responses];

/** Runs bytes through a restorer in the given chunks and returns the output text. */
function restoreChunks(chunks: readonly Uint8Array[]): string {
  const restorer = new SseRestorer(placeholders);
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    const bytes = restorer.push(chunk);
    if (bytes !== null) out.push(bytes);
  }
  const rest = restorer.end();
  if (rest !== null) out.push(rest);
  return out.map((bytes) => decoder.decode(bytes, { stream: true })).join('') + decoder.decode();
}

const provided = 'Sure, I will email <EMAIL_1> now. Call <PHONE_1> or <EMAIL_2> (cc <EMAIL_1>) — née ✓ <b>bold</b> <EMAIL_1>';
const expected = restoreText(provided, placeholders);

describe.each(dialects)('stream restoration: $name', (dialect) => {
  it('restores placeholders split across two deltas at every split point', () => {
    for (let split = 0; split <= provided.length; split++) {
      const sse = dialect.stream([provided.slice(0, split), provided.slice(split)]);
      expect(dialect.text(restoreChunks([encoder.encode(sse)])), `split at ${split}`).toBe(expected);
    }
  });

  it('restores placeholders split across three deltas at every pair of split points', () => {
    const text = 'a <EMAIL_1> b <PHONE_1>c<EMAIL_2>';
    for (let first = 0; first <= text.length; first++) {
      for (let second = first; second <= text.length; second++) {
        const sse = dialect.stream([text.slice(0, first), text.slice(first, second), text.slice(second)]);
        expect(dialect.text(restoreChunks([encoder.encode(sse)])), `splits at ${first}, ${second}`).toBe(restoreText(text, placeholders));
      }
    }
  });

  it('restores placeholders whatever the network chunk boundary (every byte split point)', () => {
    const sse = encoder.encode(dialect.stream(['Sure, <EMA', 'IL_1> and <', 'PHONE_1> — ✓ <EMAIL_2>.']));
    const want = 'Sure, jane.doe@example.com and +1 415 555 2671 — ✓ bob@example.org.';
    for (let split = 0; split <= sse.length; split++) {
      expect(dialect.text(restoreChunks([sse.subarray(0, split), sse.subarray(split)])), `byte split at ${split}`).toBe(want);
    }
  });

  it('restores any partition into deltas and any chunking of the bytes', () => {
    const cuts = fc.uniqueArray(fc.integer({ min: 1, max: provided.length - 1 }), { maxLength: 12 }).map((list) => list.sort((a, b) => a - b));
    fc.assert(
      fc.property(cuts, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), (points, sizes) => {
        const deltas = [0, ...points].map((start, index) => provided.slice(start, [...points, provided.length][index]));
        const bytes = encoder.encode(dialect.stream(deltas));
        const chunks: Uint8Array[] = [];
        for (let offset = 0, index = 0; offset < bytes.length; index++) {
          const size = sizes[index % sizes.length]!;
          chunks.push(bytes.subarray(offset, offset + size));
          offset += size;
        }
        expect(dialect.text(restoreChunks(chunks))).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('is the identity on streams without placeholders', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 40 }), (deltas, size) => {
        const sse = dialect.stream(deltas);
        const bytes = encoder.encode(sse);
        const chunks: Uint8Array[] = [];
        for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
        const out = restoreChunks(chunks);
        expect(dialect.text(out)).toBe(deltas.join(''));
        // Without `<` anywhere, not one byte changes.
        if (!sse.includes('<') && !sse.includes('\\u003')) expect(out).toBe(sse);
      }),
      { numRuns: 100 },
    );
  });
});

describe('stream restoration: tool-call arguments and structure', () => {
  it('restores a placeholder split across OpenAI tool-call argument fragments, JSON-escaping the value', () => {
    const chunk = (fn: object, index = 0): string =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: { tool_calls: [{ index, ...fn }] }, finish_reason: null }] })}\n\n`;
    const sse = [
      chunk({ id: 'call_A', type: 'function', function: { name: 'send', arguments: '' } }),
      chunk({ function: { arguments: '{"to":"<SECR' } }),
      chunk({ function: { arguments: 'ET_1>","cc":"<EMAIL_1>"}' } }),
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })}\n\n`,
      'data: [DONE]\n\n',
    ].join('');
    let args = '';
    for (const { data } of events(restoreChunks([encoder.encode(sse)]))) {
      if (data === '[DONE]') continue;
      const parsed = JSON.parse(data) as { choices: Array<{ delta: { tool_calls?: Array<{ function: { arguments?: string } }> } }> };
      args += parsed.choices[0]?.delta.tool_calls?.[0]?.function.arguments ?? '';
    }
    expect(JSON.parse(args)).toEqual({ to: 'q"8\\Zr\n2', cc: 'jane.doe@example.com' });
  });

  it('restores a placeholder split across Anthropic input_json_delta fragments', () => {
    const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const sse = [
      event('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_01A', name: 'send', input: {} } }),
      event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"to": "<EMA' } }),
      event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: 'IL_1>"}' } }),
      event('content_block_stop', { index: 1 }),
    ].join('');
    let json = '';
    for (const { data } of events(restoreChunks([encoder.encode(sse)]))) {
      const parsed = JSON.parse(data) as { delta?: { partial_json?: string } };
      json += parsed.delta?.partial_json ?? '';
    }
    expect(JSON.parse(json)).toEqual({ to: 'jane.doe@example.com' });
  });

  it('restores a Gemini function call, which arrives whole', () => {
    const sse = `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'send', args: { to: '<EMAIL_1>' } } }] }, finishReason: 'STOP', index: 0 }] })}\r\n\r\n`;
    const [only] = events(restoreChunks([encoder.encode(sse)]));
    expect(JSON.parse(only!.data)).toMatchObject({ candidates: [{ content: { parts: [{ functionCall: { args: { to: 'jane.doe@example.com' } } }] } }] });
  });

  it('lets a text that only looks like a placeholder prefix out unchanged when its text ends', () => {
    const sse = openai.stream(['a <EMA', 'b <', 'PHONE_2> and <EMAIL_1']);
    expect(openai.text(restoreChunks([encoder.encode(sse)]))).toBe('a <EMAb <PHONE_2> and <EMAIL_1');
  });

  it('holds at most one event back, keeping the event order', () => {
    const restorer = new SseRestorer(placeholders);
    const first = restorer.push(encoder.encode(openai.stream(['x <EM']).split('\n\n').slice(0, 2).join('\n\n') + '\n\n'));
    expect(restorer.isHolding).toBe(true);
    expect(openai.text(decoder.decode(first!))).toBe('');
  });

  it('restores events whose JSON escapes < and > as \\u003c and \\u003e', () => {
    const sse = 'data: {"choices":[{"index":0,"delta":{"content":"to \\u003cEMA"},"finish_reason":null}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"IL_1\\u003e!"},"finish_reason":null}]}\n\ndata: [DONE]\n\n';
    expect(openai.text(restoreChunks([encoder.encode(sse)]))).toBe('to jane.doe@example.com!');
  });

  it('passes comments, pings and unknown events through as they came', () => {
    const sse = ': keep-alive\n\nevent: ping\ndata: {"type":"ping"}\n\ndata: not json <EMAIL_1>\n\n';
    expect(restoreChunks([encoder.encode(sse)])).toBe(sse);
  });
});

describe('restoreSseStream', () => {
  it('reads upstream only when read, and forwards cancel', async () => {
    let pulls = 0;
    let cancelled: unknown;
    const upstream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(encoder.encode(openai.stream(['hi <EMAIL_1>'])));
        },
        cancel(reason) {
          cancelled = reason;
        },
      },
      { highWaterMark: 0 },
    );
    const stream = restoreSseStream(upstream, placeholders);
    await Promise.resolve();
    expect(pulls).toBe(0);
    const reader = stream.getReader();
    const { value } = await reader.read();
    expect(openai.text(decoder.decode(value))).toBe('hi jane.doe@example.com');
    await reader.cancel('stop');
    expect(cancelled).toBe('stop');
  });
});

describe('SseRestorer maximum event size', () => {
  it('throws rather than hold an event larger than its maximum', () => {
    const restorer = new SseRestorer(placeholders, 64);
    expect(restorer.push(new TextEncoder().encode('data: {"a":1}\n\n'))).not.toBeNull();
    expect(() => restorer.push(new TextEncoder().encode(`data: {"a":"${'x'.repeat(100)}`))).toThrow(/larger than 64 bytes/);
  });
});

// Behaviour that mutation testing found unpinned (issue 20): each test names what it keeps.
describe('SseRestorer: the stream around a restored event', () => {
  const chunk = (delta: object, finish: string | null = null, index = 0): string =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index, delta, finish_reason: finish }] })}\n\n`;
  const finish = chunk({}, 'stop');
  const done = 'data: [DONE]\n\n';

  function run(parts: readonly string[]): { out: string; pushed: Array<string | null> } {
    const restorer = new SseRestorer(placeholders);
    const pushed = parts.map((part) => {
      const bytes = restorer.push(encoder.encode(part));
      return bytes === null ? null : decoder.decode(bytes);
    });
    const rest = restorer.end();
    return { out: pushed.join('') + (rest === null ? '' : decoder.decode(rest)), pushed };
  }

  it('restore keeps the events that follow a restored event in the same chunk', () => {
    const { out, pushed } = run([chunk({ content: 'mail <EMAIL_1>' }) + finish + done]);
    expect(pushed[0]).toBe(chunk({ content: 'mail jane.doe@example.com' }) + finish + done);
    expect(out.endsWith(finish + done)).toBe(true);
  });

  it('restore keeps the events that follow a released held event in the same chunk', () => {
    const { out } = run([chunk({ content: 'to <EMA' }), chunk({ content: 'IL_1> ok' }) + finish + done]);
    expect(openai.text(out)).toBe('to jane.doe@example.com ok');
    expect(out.endsWith(finish + done)).toBe(true);
  });

  it('restore delivers an unterminated last event when the stream ends', () => {
    const last = chunk({ content: 'bye <EMAIL_2>' }).slice(0, -1);
    const { out, pushed } = run([chunk({ content: 'hi' }), last]);
    expect(pushed[1]).toBeNull();
    expect(openai.text(out)).toBe('hibye bob@example.org');
  });

  it('restore delivers a held placeholder prefix when the stream ends without its rest', () => {
    const { out, pushed } = run([chunk({ content: 'x <EMA' })]);
    expect(pushed[0]).toBeNull();
    expect(openai.text(out)).toBe('x <EMA');
  });

  it('restore reads data lines without a space, a bare data line and data over several lines', () => {
    const noSpace = `data:${JSON.stringify({ choices: [{ index: 0, delta: { content: 'a <PHONE_1>' } }] })}\n\n`;
    const bare = `data\ndata: ${JSON.stringify({ choices: [{ index: 0, delta: { content: ' b <EMAIL_1>' } }] })}\n\n`;
    const split = `data: {"choices":[{"index":0,\ndata: "delta":{"content":" c <EMAIL_2>"}}]}\n\n`;
    const { out } = run([noSpace + bare + split + done]);
    expect(openai.text(out)).toBe('a +1 415 555 2671 b jane.doe@example.com c bob@example.org');
    expect(out.endsWith(done)).toBe(true);
  });

  it('restore joins a placeholder split around a keep-alive comment, and keeps the comment', () => {
    const { out } = run([chunk({ content: 'to <EMA' }), ': ping\n\n', chunk({ content: 'IL_1>!' }), done]);
    expect(openai.text(out)).toBe('to jane.doe@example.com!');
    expect(out).toContain(': ping\n\n');
    expect(out.endsWith(done)).toBe(true);
  });

  it('restore lets another choice pass a held event and restores each choice apart', () => {
    const { out } = run([chunk({ content: 'x <EMA' }, null, 0), chunk({ content: 'other <PHONE_1>' }, null, 1), chunk({ content: 'IL_1> y' }, null, 0), done]);
    const texts = new Map<number, string>();
    for (const { data } of events(out)) {
      if (data === '[DONE]') continue;
      const parsed = JSON.parse(data) as { choices: Array<{ index: number; delta: { content?: string } }> };
      for (const choice of parsed.choices) texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta.content ?? ''));
    }
    expect(texts.get(0)).toBe('x jane.doe@example.com y');
    expect(texts.get(1)).toBe('other +1 415 555 2671');
  });
});
