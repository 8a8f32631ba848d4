import { generateKeyPairSync } from 'node:crypto';
import OpenAI, { type APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { rejection } from '../helpers/sluice.js';

const KEY = 'sk-configured-0123456789';
const SDK_KEY = 'sdk-own-key-abcdef123456';
const MINTED = 'ya29.minted-at-run-time-0123456789';
const SESSION = 'aws-session-token-0123456789abcdef';
const ALL = [KEY, SDK_KEY, MINTED, SESSION];
const messages = [{ role: 'user' as const, content: 'hello' }];

/** The credential values a request carries, as a provider (or a proxy) might echo them. */
function credentialsOf(init: RequestInit | undefined): string {
  const headers = new Headers(init?.headers);
  return ['authorization', 'x-api-key', 'x-goog-api-key', 'x-amz-security-token']
    .map((name) => headers.get(name))
    .filter((value) => value !== null)
    .join(' ');
}

/** An upstream that answers every call by echoing its credentials: in an error, or in a 200 body. */
function echoing(kind: 'error' | 'body' | 'stream'): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/token')) return Response.json({ access_token: MINTED, expires_in: 3600, token_type: 'Bearer' });
    const echo = `credentials were: ${credentialsOf(init)}; and again ${credentialsOf(init)}`;
    const isGemini = url.includes(':generateContent') || url.includes(':streamGenerateContent');
    if (kind === 'error') {
      const body = isGemini ? { error: { code: 401, message: echo, status: 'UNAUTHENTICATED' } } : url.includes('/model/') ? { message: echo } : { error: { message: echo, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
      return Response.json(body, { status: 401 });
    }
    const completion = { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: echo }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    if (kind === 'body') return Response.json(completion);
    const chunk = (delta: object): string => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    return new Response(chunk({ role: 'assistant', content: echo }) + 'data: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } });
  };
}

/** Everything the application can see of a call: events, callbacks, exporter batches, stream chunks. */
function watch(config: Parameters<typeof createSluice>[0]): { sluice: Sluice; seen: unknown[] } {
  const seen: unknown[] = [];
  const decoder = new TextDecoder();
  const sluice = createSluice({
    ...config,
    callbacks: [
      {
        logSuccessEvent: (record) => void seen.push(record),
        logFailureEvent: (record) => void seen.push(record),
        logStreamEvent: (info) => void seen.push(decoder.decode(info.chunk)),
      },
    ],
    failureCallback: [(record) => void seen.push(record)],
    exporters: [{ name: 'capture', export: async (records) => void seen.push(...records) }],
  });
  for (const type of ['request:end', 'request:error'] as const) sluice.on(type, (event) => void seen.push(event));
  return { sluice, seen };
}

function expectNoSecret(seen: unknown): void {
  const text = JSON.stringify(seen);
  for (const secret of ALL) expect(text).not.toContain(secret);
}

const client = (sluice: Sluice, baseURL = 'https://api.openai.com/v1') => new OpenAI({ apiKey: SDK_KEY, baseURL, maxRetries: 0, fetch: sluice.fetch });

describe('no secret in anything Sluice emits', () => {
  it('scrubs a configured key an OpenAI-format provider echoes in its error', async () => {
    const { sluice, seen } = watch({ providers: { openai: { apiKey: KEY } }, fetch: echoing('error') });
    await rejection(client(sluice).chat.completions.create({ model: 'openai/gpt-4o-mini', messages }));
    await sluice.flush();
    const record = (seen.find((entry) => (entry as { type?: string }).type === 'request:end') as { record: CallRecord }).record;
    expect(record.error?.message).toContain('credentials were: Bearer [REDACTED]');
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expectNoSecret(seen);
  });

  it('scrubs the error the SDK throws for a translated call, and Vertex tokens minted at run time', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { sluice, seen } = watch({
      providers: {
        vx: {
          kind: 'vertex',
          baseURL: 'https://vertex.example',
          project: 'proj',
          location: 'us-central1',
          serviceAccount: { client_email: 'a@p.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), token_uri: 'https://vertex.example/token' },
        },
      },
      fetch: echoing('error'),
    });
    const error = (await rejection(client(sluice).chat.completions.create({ model: 'vx/gemini-2.5-pro', messages }))) as APIError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('[REDACTED]');
    for (const secret of ALL) expect(error.message).not.toContain(secret);
    await sluice.flush();
    expectNoSecret(seen);
  });

  it("scrubs the SDK's own key (zero config) from recorded bodies and stream chunks", async () => {
    const { sluice, seen } = watch({ fetch: echoing('body') });
    const answer = await client(sluice).chat.completions.create({ model: 'gpt-4o-mini', messages });
    // The provider's own answer reaches the SDK as it came.
    expect(answer.choices[0]!.message.content).toContain(SDK_KEY);
    await sluice.flush();
    expectNoSecret(seen);

    const streamed = watch({ fetch: echoing('stream') });
    const stream = await client(streamed.sluice).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) void chunk;
    await streamed.sluice.flush();
    expect(streamed.seen.some((entry) => typeof entry === 'string' && entry.includes('[REDACTED]'))).toBe(true);
    expectNoSecret(streamed.seen);
  });

  it('scrubs AWS session tokens and cuts bodies only after scrubbing', async () => {
    for (let maxBodyChars = 40; maxBodyChars < 140; maxBodyChars += 3) {
      const { sluice, seen } = watch({
        providers: { bedrock: { region: 'us-east-1', aws: { accessKeyId: 'AKIAEXAMPLE1', secretAccessKey: 'secret-access-key-0123', sessionToken: SESSION } } },
        fetch: echoing('error'),
        record: { maxBodyChars },
      });
      await rejection(client(sluice).chat.completions.create({ model: 'bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0', messages }));
      await sluice.flush();
      const text = JSON.stringify(seen);
      expect(text).toContain('[REDACTED]');
      for (const secret of ALL) for (let length = 6; length <= secret.length; length++) expect(text, `${maxBodyChars}`).not.toContain(secret.slice(0, length));
    }
  });
});

describe('a secret split across stream chunks', () => {
  it('never reaches logStreamEvent, in part or whole, whatever the cut', async () => {
    const key = 'sk-split-secret-0123456789abcdef';
    const body = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"your key is ${key}, keep it"},"finish_reason":null}]}\n\ndata: [DONE]\n\n`;
    const at = body.indexOf(key);
    for (const cut of [at + 1, at + 5, at + key.length - 1]) {
      const pieces = [body.slice(0, cut), body.slice(cut)];
      const chunks: string[] = [];
      const decoder = new TextDecoder();
      const sluice = createSluice({
        providers: { openai: { apiKey: key } },
        fetch: async () =>
          new Response(
            new ReadableStream<Uint8Array>({
              start(controller) {
                for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
                controller.close();
              },
            }),
            { headers: { 'content-type': 'text/event-stream' } },
          ),
        callbacks: [{ logStreamEvent: (info) => void chunks.push(decoder.decode(info.chunk)) }],
      });
      // Asking for usage itself, the SDK gets the provider's chunks as they came: the cut reaches the callback.
      const stream = await client(sluice).chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
      for await (const _ of stream) void _;
      await sluice.flush();
      const seen = chunks.join('');
      expect(seen).toContain('your key is [REDACTED], keep it');
      for (let length = 4; length <= key.length; length++) expect(seen, `cut ${cut}`).not.toContain(key.slice(0, length));
      await sluice.close();
    }
  });
});
