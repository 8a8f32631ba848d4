/**
 * Fake upstreams for the measurements that leave the network out: a `fetch` that answers every call
 * with the same pre-built body, in OpenAI Chat Completions or Anthropic Messages shape (the shapes of
 * the providers' documented examples, as in test/fixtures/openai and test/fixtures/anthropic), with the
 * same text in both, so the difference between the two through Sluice is the translation.
 * @module
 */

const encoder = new TextEncoder();
const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** The reply of every non-streaming bench call that sets its own text: about 80 words, a short real answer. */
export const REPLY_TEXT = Array.from(
  { length: 8 },
  (_, index) => `Sentence ${index + 1} of the reply says something plain about the question, with numbers like ${index * 7} and a few more words.`,
).join(' ');

/** The words of a long streamed reply: `word0 word1 …`, one SSE content event each. */
export function streamWords(count: number): string[] {
  const words: string[] = [];
  for (let index = 0; index < count; index++) words.push(`${index === 0 ? '' : ' '}word${index % 97}`);
  return words;
}

/**
 * An OpenAI `chat.completion` body (docs: Chat Completions, "The chat completion object").
 * @param text - the assistant's content
 * @returns the body as JSON text
 */
export function openaiChatJson(text: string): string {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_735_689_600,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: text, refusal: null, annotations: [] } }],
    usage: { prompt_tokens: 9, completion_tokens: 100, total_tokens: 109, prompt_tokens_details: { cached_tokens: 0 } },
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
  });
}

/**
 * An Anthropic Messages body (docs: Messages API reference, example 200 response).
 * @param text - the assistant's text block
 * @returns the body as JSON text
 */
export function anthropicMessageJson(text: string): string {
  return JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 100 },
  });
}

/**
 * OpenAI Chat Completions SSE events, one entry per event: role, one content delta per word, finish,
 * the usage chunk when `withUsage` (what `stream_options.include_usage` asks for), `[DONE]`.
 */
export function openaiChatEvents(words: readonly string[], withUsage: boolean): Uint8Array[] {
  const chunk = (choices: unknown[], usage: unknown): Uint8Array => {
    const value: Record<string, unknown> = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_735_689_600, model: 'gpt-4o-mini', choices };
    if (withUsage) value['usage'] = usage;
    return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
  };
  const delta = (fields: Record<string, unknown>, finish: string | null = null) => chunk([{ index: 0, delta: fields, logprobs: null, finish_reason: finish }], null);
  const events = [delta({ role: 'assistant', content: '' })];
  for (const word of words) events.push(delta({ content: word }));
  events.push(delta({}, 'stop'));
  if (withUsage) events.push(chunk([], { prompt_tokens: 9, completion_tokens: words.length, total_tokens: words.length + 9 }));
  events.push(encoder.encode('data: [DONE]\n\n'));
  return events;
}

/**
 * Anthropic Messages SSE events, one entry per event (docs: Streaming Messages, "Basic streaming
 * request"): message_start, content_block_start, ping, one text_delta per word, content_block_stop,
 * message_delta with the stop reason and usage, message_stop.
 */
export function anthropicEvents(words: readonly string[]): Uint8Array[] {
  const event = (type: string, data: Record<string, unknown>): Uint8Array => encoder.encode(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const events = [
    event('message_start', {
      message: {
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-sonnet-4-5-20250929',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 9, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
  ];
  for (const word of words) events.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } }));
  events.push(
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: words.length } }),
    event('message_stop', {}),
  );
  return events;
}

/** A body that delivers exactly one pre-encoded event per read (pull-based, nothing buffered ahead). */
export function eventBody(events: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (index < events.length) controller.enqueue(events[index++]!);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** What a fake upstream answers: a JSON body, or SSE events (the request's `stream` decides). */
export interface FakeAnswers {
  json: string;
  events: readonly Uint8Array[];
  /** Events to send instead when the request asks for `stream_options.include_usage`. */
  eventsWithUsage?: readonly Uint8Array[];
}

/** The fake upstream's view of the calls it got, to check that Sluice sent what was expected. */
export interface FakeProvider {
  readonly fetch: typeof fetch;
  /** Calls answered so far. */
  calls: number;
  /** The URL of the last call. */
  lastUrl: string;
}

/**
 * A fake upstream `fetch` (for `createSluice({ fetch })`, or called directly) answering with `answers`.
 * @param answers - the JSON body and the SSE events
 * @param fail - called with the request; a status returned is answered as that error (OpenAI shape)
 * @returns the fetch and its counters
 */
export function fakeProvider(answers: FakeAnswers, fail?: (url: string, body: string) => number | null): FakeProvider {
  const state: FakeProvider = {
    calls: 0,
    lastUrl: '',
    fetch: (input, init) => {
      state.calls++;
      state.lastUrl = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const body = typeof init?.body === 'string' ? init.body : '';
      const status = fail?.(state.lastUrl, body) ?? null;
      if (status !== null) {
        const error = { error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: null } };
        return Promise.resolve(new Response(JSON.stringify(error), { status, headers: JSON_HEADERS }));
      }
      if (!body.includes('"stream":true')) return Promise.resolve(new Response(answers.json, { status: 200, headers: JSON_HEADERS }));
      const events = answers.eventsWithUsage !== undefined && body.includes('"include_usage":true') ? answers.eventsWithUsage : answers.events;
      return Promise.resolve(new Response(eventBody(events), { status: 200, headers: SSE_HEADERS }));
    },
  };
  return state;
}

/** The URL the isolated calls are made to (never reached: the fake upstream answers). */
export const ISOLATED_URL = 'http://127.0.0.1:9/v1/chat/completions';

/** `init` for a chat request through a bare `fetch`, as the OpenAI SDK would send it. */
export function chatInit(model: string, stream: boolean): RequestInit {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], ...(stream ? { stream: true } : {}) });
  return { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body };
}

/**
 * One call through `fetchImpl`, its body read to the end one read at a time.
 * @returns time to the first read, total time (ms), reads and bytes
 */
export async function readCall(fetchImpl: typeof fetch, init: RequestInit): Promise<{ ttft: number; total: number; reads: number; bytes: number; status: number }> {
  const start = performance.now();
  const response = await fetchImpl(ISOLATED_URL, init);
  if (response.body === null) throw new Error('no body');
  const reader = response.body.getReader();
  let first = Number.NaN;
  let reads = 0;
  let bytes = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const { done, value } = await reader.read();
    if (done) break;
    if (reads === 0) first = performance.now();
    reads++;
    bytes += value.length;
  }
  return { ttft: first - start, total: performance.now() - start, reads, bytes, status: response.status };
}
