import { describe, expect, it } from 'vitest';
import { CallContext, type EventSink } from '../../src/core/context.js';
import { isSluiceError, SluiceConfigError, type SluiceError } from '../../src/core/errors.js';
import type { Dialect, Operation } from '../../src/events/record.js';
import type { SluiceEvent } from '../../src/events/types.js';
import { pii, type PiiOptions } from '../../src/plugins/pii/index.js';
import { fakeNext, makeContext } from '../../src/testing/harness.js';

const EMAIL = 'jane.doe@example.com';
const CARD = '4242 4242 4242 4242';

/** A context whose events are collected. */
function contextWithEvents(body: unknown, dialect: Dialect = 'openai', operation: Operation = 'chat'): { ctx: CallContext; events: SluiceEvent[] } {
  const events: SluiceEvent[] = [];
  const sink: EventSink = { has: () => true, emit: (event) => events.push(event) };
  const bodyText = JSON.stringify(body);
  const ctx = new CallContext({
    id: 'call_1',
    dialect,
    operation,
    method: 'POST',
    url: 'https://api.openai.com/v1/chat/completions',
    init: { method: 'POST', body: bodyText },
    bodyText,
    now: () => 0,
    startedAt: 0,
    events: sink,
  });
  return { ctx, events };
}

/** Runs the plugin on a body and returns what was sent upstream. */
async function sent(options: PiiOptions, body: unknown, dialect: Dialect = 'openai', operation: Operation = 'chat'): Promise<{ ctx: CallContext; upstream: unknown }> {
  const ctx = makeContext({ body, dialect, operation });
  const next = fakeNext({ json: { ok: true } });
  await pii(options)(ctx, next);
  return { ctx, upstream: next.calls[0]!.body };
}

async function refusal(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    if (isSluiceError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('pii() shapes: what is scanned in each dialect', () => {
  it('OpenAI chat: system, developer, user parts, tool-call arguments and tool results; never images, ids or the model', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Escalate to ops@example.com.' },
        { role: 'developer', content: [{ type: 'text', text: 'Admin: +44 20 7946 0958' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: `I am ${EMAIL}` },
            { type: 'image_url', image_url: { url: `data:text/plain,${EMAIL}`, detail: 'auto' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_7Kq', type: 'function', function: { name: 'lookup', arguments: `{"email":"${EMAIL}"}` } }] },
        { role: 'tool', tool_call_id: 'call_7Kq', content: `{"card":"${CARD}"}` },
      ],
    };
    const { upstream } = await sent({}, body);
    expect(upstream).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Escalate to <EMAIL_1>.' },
        { role: 'developer', content: [{ type: 'text', text: 'Admin: <PHONE_1>' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'I am <EMAIL_2>' },
            { type: 'image_url', image_url: { url: `data:text/plain,${EMAIL}`, detail: 'auto' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_7Kq', type: 'function', function: { name: 'lookup', arguments: '{"email":"<EMAIL_2>"}' } }] },
        { role: 'tool', tool_call_id: 'call_7Kq', content: '{"card":"<CREDIT_CARD_1>"}' },
      ],
    });
  });

  it('OpenAI Responses: instructions, input messages, function calls and their outputs', async () => {
    const body = {
      model: 'gpt-4.1',
      instructions: 'Reply to ops@example.com',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'my IP is 203.0.113.7' }] },
        { type: 'function_call', call_id: 'call_1', name: 'verify', arguments: '{"ssn":"123-45-6789"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"iban":"DE89 3704 0044 0532 0130 00"}' },
      ],
    };
    const { upstream } = await sent({}, body, 'openai', 'responses');
    expect(upstream).toEqual({
      model: 'gpt-4.1',
      instructions: 'Reply to <EMAIL_1>',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'my IP is <IPV4_1>' }] },
        { type: 'function_call', call_id: 'call_1', name: 'verify', arguments: '{"ssn":"<SSN_1>"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"iban":"<IBAN_1>"}' },
      ],
    });
    const { upstream: plain } = await sent({}, { model: 'gpt-4.1', input: `write to ${EMAIL}` }, 'openai', 'responses');
    expect(plain).toEqual({ model: 'gpt-4.1', input: 'write to <EMAIL_1>' });
  });

  it('Anthropic: system blocks, text, tool_use input (nested), tool_result content; never images or thinking', async () => {
    const thinking = { type: 'thinking', thinking: `the user is ${EMAIL}`, signature: 'EqQB' };
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Escalate to ops@example.com' }],
      messages: [
        { role: 'user', content: `I am ${EMAIL}` },
        {
          role: 'assistant',
          content: [thinking, { type: 'tool_use', id: 'toolu_01A', name: 'lookup', input: { contact: { email: EMAIL }, phones: ['+1 415 555 2671'] } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: `card ${CARD}` }] }, image] },
      ],
    };
    const { upstream } = await sent({}, body, 'anthropic', 'chat');
    expect(upstream).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'Escalate to <EMAIL_1>' }],
      messages: [
        { role: 'user', content: 'I am <EMAIL_2>' },
        { role: 'assistant', content: [thinking, { type: 'tool_use', id: 'toolu_01A', name: 'lookup', input: { contact: { email: '<EMAIL_2>' }, phones: ['<PHONE_1>'] } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: 'card <CREDIT_CARD_1>' }] }, image] },
      ],
    });
  });

  it('Gemini: systemInstruction, text parts, functionCall.args, functionResponse.response; never inlineData', async () => {
    const inline = { inlineData: { mimeType: 'text/plain', data: EMAIL } };
    const body = {
      systemInstruction: { parts: [{ text: 'Escalate to ops@example.com' }] },
      contents: [
        { role: 'user', parts: [{ text: `I am ${EMAIL}` }, inline] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { email: EMAIL } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { card: CARD } } }] },
      ],
      generationConfig: { temperature: 0.2 },
    };
    const { upstream } = await sent({}, body, 'gemini', 'chat');
    expect(upstream).toEqual({
      systemInstruction: { parts: [{ text: 'Escalate to <EMAIL_1>' }] },
      contents: [
        { role: 'user', parts: [{ text: 'I am <EMAIL_2>' }, inline] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { email: '<EMAIL_2>' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { card: '<CREDIT_CARD_1>' } } }] },
      ],
      generationConfig: { temperature: 0.2 },
    });
  });

  it('embeddings input strings', async () => {
    const { upstream } = await sent({}, { model: 'text-embedding-3-small', input: [`a ${EMAIL}`, 'b'] }, 'openai', 'embeddings');
    expect(upstream).toEqual({ model: 'text-embedding-3-small', input: ['a <EMAIL_1>', 'b'] });
  });

  it('leaves a body without matches untouched, as the same object', async () => {
    const ctx = makeContext({ body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] } });
    const next = fakeNext({ json: {} });
    await pii()(ctx, next);
    expect(ctx.isBodyChanged).toBe(false);
    expect(ctx.guard).toEqual([]);
  });
});

describe('pii() modes', () => {
  const chat = (...texts: string[]): unknown => ({ model: 'gpt-4o-mini', messages: texts.map((content) => ({ role: 'user', content })) });

  it('redact numbers placeholders per distinct value and reuses them for the same value', async () => {
    const { upstream, ctx } = await sent({}, chat(`${EMAIL} and bob@example.org`, `again ${EMAIL}`));
    expect(upstream).toEqual(chat('<EMAIL_1> and <EMAIL_2>', 'again <EMAIL_1>'));
    expect(ctx.guard).toEqual([{ rule: 'email', action: 'redact', count: 3 }]);
  });

  it('reads values broken up by invisible characters', async () => {
    const ctx = makeContext({ body: chat('mail jane\u200B.doe@exam\u00ADple.com\u202E now') });
    const next = fakeNext(() => new Response('{"text":"<EMAIL_1>"}', { headers: { 'content-type': 'application/json' } }));
    const response = await pii()(ctx, next);
    expect(next.calls[0]!.body).toEqual(chat('mail <EMAIL_1>\u202E now'));
    // The answer gets back what was written, invisible characters included.
    expect(await response.json()).toEqual({ text: 'jane\u200B.doe@exam\u00ADple.com' });
  });

  it('restores exactly what was written: a zero-width character inside an email survives the round trip, JSON and stream', async () => {
    const written = 'jane.d\u200Boe@example.com';
    const ctx = makeContext({ body: chat(`mail ${written} or ${EMAIL}`) });
    const next = fakeNext(() => new Response('{"text":"<EMAIL_1> / <EMAIL_2>"}', { headers: { 'content-type': 'application/json' } }));
    const response = await pii()(ctx, next);
    // Two written forms, two placeholders: each restores to its own bytes.
    expect(next.calls[0]!.body).toEqual(chat('mail <EMAIL_1> or <EMAIL_2>'));
    expect(await response.json()).toEqual({ text: `${written} / ${EMAIL}` });

    const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    const streamed = await pii()(makeContext({ body: { ...(chat(`mail ${written}`) as object), stream: true } }), fakeNext({ sse: [chunk('to <EMA'), chunk('IL_1>'), 'data: [DONE]\n\n'] }));
    expect(await streamed.text()).toContain(JSON.stringify(written).slice(1, -1));
  });

  it('log never changes the request: invisible characters inside a value reach the upstream as written', async () => {
    const text = 'mail jane.d\u200Boe@exam\u00ADple.com\u202E now';
    const { ctx, upstream } = await sent({ mode: 'log' }, chat(text));
    expect(upstream).toEqual(chat(text));
    expect(ctx.guard).toEqual([{ rule: 'email', action: 'log', count: 1 }]);
    ctx.runEndListeners();
    expect(ctx.body).toEqual(chat('mail <EMAIL_1>\u202E now'));
  });

  it('skips placeholder numbers the request already contains', async () => {
    const { upstream } = await sent({}, chat(`literal <EMAIL_1> then ${EMAIL}`));
    expect(upstream).toEqual(chat('literal <EMAIL_1> then <EMAIL_2>'));
  });

  it('mask keeps the shape', async () => {
    const { upstream } = await sent({ mode: 'mask' }, chat(`${EMAIL} paid with ${CARD}`));
    expect(upstream).toEqual(chat('j***@e***.com paid with **** **** **** 4242'));
  });

  it('log sends the values but records the body without them', async () => {
    const { ctx, upstream } = await sent({ rules: { email: 'log' } }, chat(`mail ${EMAIL}, card ${CARD}`));
    expect(upstream).toEqual(chat(`mail ${EMAIL}, card <CREDIT_CARD_1>`));
    expect(ctx.guard).toEqual([
      { rule: 'email', action: 'log', count: 1 },
      { rule: 'credit-card', action: 'redact', count: 1 },
    ]);
    // The record is built after the end listeners.
    ctx.runEndListeners();
    expect(JSON.stringify(ctx.body)).not.toContain(EMAIL);
    expect(ctx.body).toEqual(chat('mail <EMAIL_1>, card <CREDIT_CARD_1>'));
  });

  it('block refuses with a 400 naming the rules and places, never the values, and sends nothing', async () => {
    const { ctx, events } = contextWithEvents({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'hi' },
        { role: 'user', content: `pay with ${CARD}` },
        { role: 'user', content: [{ type: 'text', text: `SSN 123-45-6789, mail ${EMAIL}` }] },
      ],
    });
    const next = fakeNext({ json: {} });
    const error = await refusal(pii({ rules: { 'credit-card': 'block', ssn: 'block' } })(ctx, next));
    expect(next.calls).toHaveLength(0);
    expect(error.code).toBe('sluice_pii_blocked');
    expect(error.status).toBe(400);
    expect(error.message).toContain('credit-card in messages[2].content');
    expect(error.message).toContain('ssn in messages[3].content[0].text');
    for (const value of [CARD, '123-45-6789', EMAIL, '4242']) expect(error.message).not.toContain(value);
    // The refused request is recorded without the values.
    expect(JSON.stringify(ctx.body)).not.toMatch(/4242|6789|jane/);
    expect(events).toEqual([
      { type: 'guard:match', id: 'call_1', rule: 'email', action: 'redact', count: 1 },
      { type: 'guard:match', id: 'call_1', rule: 'credit-card', action: 'block', count: 1 },
      { type: 'guard:match', id: 'call_1', rule: 'ssn', action: 'block', count: 1 },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/4242|6789|jane/);
  });

  it('false turns a rule off; patterns and word lists add rules with their own modes', async () => {
    const { upstream, ctx } = await sent(
      {
        rules: { email: false },
        patterns: [{ name: 'order-id', regex: /ORD-\d{6}/ }, { name: 'ticket', regex: 'TCK\\d+', mode: 'mask' }],
        words: [{ name: 'codename', list: ['Project Falcon', 'Osprey'] }],
      },
      chat(`${EMAIL} ORD-123456 TCK42 about project falcon and OSPREY, not ospreys`),
    );
    expect(upstream).toEqual(chat(`${EMAIL} <ORDER_ID_1> T**** about <CODENAME_1> and <CODENAME_2>, not ospreys`));
    expect(ctx.guard.map((verdict) => verdict.rule)).toEqual(['order-id', 'ticket', 'codename']);
  });

  it('recordOriginals records the SDK body and the restored JSON answer', async () => {
    const ctx = makeContext({ body: chat(`mail ${EMAIL}`) });
    const next = fakeNext((call) => {
      call.responseBody = '{"text":"to <EMAIL_1>"}';
      return new Response('{"text":"to <EMAIL_1>"}', { headers: { 'content-type': 'application/json' } });
    });
    const response = await pii({ recordOriginals: true })(ctx, next);
    expect(await response.json()).toEqual({ text: `to ${EMAIL}` });
    expect(next.calls[0]!.body).toEqual(chat('mail <EMAIL_1>'));
    ctx.runEndListeners();
    expect(ctx.body).toEqual(chat(`mail ${EMAIL}`));
    expect(ctx.responseBody).toBe(`{"text":"to ${EMAIL}"}`);
  });
});

describe('pii() restoration', () => {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `mail ${EMAIL}` }] };

  it('restores placeholders in a JSON answer, \\u003c forms included, and drops content-length', async () => {
    const text = '{"choices":[{"message":{"content":"Sure, \\u003cEMAIL_1\\u003e and <EMAIL_1>"}}]}';
    const next = fakeNext(() => new Response(text, { headers: { 'content-type': 'application/json', 'content-length': String(text.length) } }));
    const restored = await pii()(makeContext({ body }), next);
    expect(restored.headers.get('content-length')).toBeNull();
    expect(await restored.json()).toEqual({ choices: [{ message: { content: `Sure, ${EMAIL} and ${EMAIL}` } }] });
  });

  it('restores a streamed answer and keeps status and headers', async () => {
    const chunk = (content: string): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    const next = fakeNext({ sse: [chunk('to <EM'), chunk('AIL_1>'), 'data: [DONE]\n\n'], headers: { 'x-request-id': 'req_1' } });
    const response = await pii()(makeContext({ body: { ...body, stream: true } }), next);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    const text = await response.text();
    expect(text).toContain(`"content":"to "`);
    expect(text).toContain(`"content":"${EMAIL}"`);
  });

  it('does not touch answers when restore is off or nothing was redacted', async () => {
    const answer = new Response('{"x":"<EMAIL_1>"}', { headers: { 'content-type': 'application/json' } });
    expect(await pii({ restore: false })(makeContext({ body }), fakeNext(() => answer))).toBe(answer);
    const masked = new Response('{"x":"<EMAIL_1>"}', { headers: { 'content-type': 'application/json' } });
    expect(await pii({ mode: 'mask' })(makeContext({ body }), fakeNext(() => masked))).toBe(masked);
  });

  it('passes other content types through', async () => {
    const answer = new Response('<EMAIL_1>', { headers: { 'content-type': 'text/plain' } });
    expect(await pii()(makeContext({ body }), fakeNext(() => answer))).toBe(answer);
  });
});

describe('pii() scan limits', () => {
  const chat = (content: string): unknown => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  /** A text of `chars` characters with an email at its start and another at its end. */
  const large = (chars: number): string => `${EMAIL} ${'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27))}`.slice(0, chars - 20) + ' bob@example.org.';

  it('refuses a body over maxScanChars unscanned, and records it without its texts', async () => {
    const ctx = makeContext({ body: chat(large(1_000)) });
    const next = fakeNext({ json: {} });
    const error = await refusal(pii({ maxScanChars: 500 })(ctx, next));
    expect(next.calls).toHaveLength(0);
    expect(error.code).toBe('sluice_pii_blocked');
    expect(error.message).toContain('more than maxScanChars (500)');
    expect(ctx.guard).toEqual([{ rule: 'scan-limit', action: 'block', count: 1 }]);
    expect(ctx.body).toEqual(chat('<NOT_SCANNED>'));
  });

  it("lets it through unscanned with onScanLimit 'allow', saying so in the record's error", async () => {
    const text = large(1_000);
    const { ctx, upstream } = await sent({ maxScanChars: 500, onScanLimit: 'allow' }, chat(text));
    expect(upstream).toEqual(chat(text));
    expect(ctx.guard).toEqual([{ rule: 'scan-limit', action: 'log', count: 1 }]);
    expect(ctx.error?.class).toBe('pii_scan_limit');
  });

  it('stops a scan that outlasts maxScanMs on the call clock; allow sends what was found redacted and the rest as written', async () => {
    // Every reading of the clock advances it one second: the scan stops after a few 64 K slices.
    let clock = 0;
    const text = large(400_000);
    const ctx = makeContext({ body: chat(text), now: () => (clock += 1_000) });
    const next = fakeNext({ json: {} });
    await pii({ maxScanMs: 2_500, onScanLimit: 'allow' })(ctx, next);
    const content = (next.calls[0]!.body as { messages: Array<{ content: string }> }).messages[0]!.content;
    expect(content.startsWith('<EMAIL_1> lorem')).toBe(true);
    expect(content.endsWith(' bob@example.org.')).toBe(true);
    expect(ctx.error?.message).toContain('longer than maxScanMs (2500 ms)');

    clock = 0;
    const blocked = makeContext({ body: chat(text), now: () => (clock += 1_000) });
    const error = await refusal(pii({ maxScanMs: 2_500 })(blocked, fakeNext({ json: {} })));
    expect(error.message).toContain('longer than maxScanMs');
  });

  it('scans a large body in slices, letting other tasks run between them, with the same result', async () => {
    const text = large(1_000_000);
    let ticks = 0;
    // Another task: a message posted now runs only once the scan lets the event loop turn.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      ticks++;
      channel.port1.close();
    };
    channel.port2.postMessage(null);
    const ctx = makeContext({ body: chat(text) });
    let ticksBeforeSend = -1;
    const next = fakeNext((call) => {
      ticksBeforeSend = ticks;
      return new Response(JSON.stringify({ body: call.body }), { headers: { 'content-type': 'application/json' } });
    });
    await pii()(ctx, next);
    expect(ticksBeforeSend).toBe(1);
    const content = (next.calls[0]!.body as { messages: Array<{ content: string }> }).messages[0]!.content;
    expect(content.startsWith('<EMAIL_1> lorem')).toBe(true);
    expect(content.endsWith(' <EMAIL_2>.')).toBe(true);
  });

  it('validates the limits', () => {
    expect(() => pii({ maxScanChars: 0 })).toThrow('pii().maxScanChars: expected a finite number of characters > 0');
    expect(() => pii({ maxScanMs: -1 })).toThrow('pii().maxScanMs: expected a finite number of milliseconds > 0');
    expect(() => pii({ onScanLimit: 'pass' as 'allow' })).toThrow('pii().onScanLimit: expected "block" or "allow"');
  });
});

describe('pii() options', () => {
  function issues(options: unknown): string[] {
    try {
      pii(options as PiiOptions);
    } catch (error) {
      if (error instanceof SluiceConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
      throw error;
    }
    return [];
  }

  it('accepts no options', () => {
    expect(issues(undefined)).toEqual([]);
  });

  it('names unknown rules and options with a suggestion', () => {
    expect(issues({ rules: { emial: 'block' } })).toEqual(['pii().rules.emial: unknown rule; did you mean "email"?']);
    expect(issues({ restores: true })).toEqual(['pii().restores: unknown key; did you mean "restore"?']);
  });

  it('rejects bad modes, regexes and names', () => {
    expect(issues({ mode: 'hide', rules: { email: 'drop' } })).toEqual([
      'pii().mode: expected one of "redact", "mask", "block", "log"',
      'pii().rules.email: expected "redact", "mask", "block", "log" or false',
    ]);
    expect(issues({ patterns: [{ name: 'x', regex: '(' }, { name: 'y', regex: /a*/ }, { name: 'email', regex: /z/ }] })).toEqual([
      expect.stringMatching(/^pii\(\)\.patterns\[0\]\.regex: invalid regular expression/),
      'pii().patterns[1].regex: the pattern matches the empty string; it would match everywhere',
      'pii().patterns[2].name: "email" is already a rule name; pick another',
    ]);
    expect(issues({ words: [{ name: 'credit_card', list: ['x'] }, { name: 'w', list: [' '] }] })).toEqual([
      'pii().words[0].name: "credit_card" would share the placeholder <CREDIT_CARD_n> with another rule; pick another name',
      'pii().words[1].list: expected at least one non-empty word',
    ]);
    expect(issues({ patterns: [{ name: '1bad', regex: 'x' }] })).toEqual([
      'pii().patterns[0].name: expected a name of letters, digits, "-" or "_", starting with a letter',
    ]);
  });

  it('returns a named middleware', () => {
    expect(pii().name).toBe('pii');
  });
});
