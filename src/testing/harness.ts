/**
 * Helpers to unit-test a middleware without a network: a context factory and a fake `next`.
 * @module
 */
import { CallContext } from '../core/context.js';
import type { Next } from '../core/types.js';
import type { Dialect, Operation } from '../events/record.js';

/** Options for {@link makeContext}; every field has a sensible default. */
export interface MakeContextOptions {
  /** @default 'openai' */
  dialect?: Dialect;
  /** @default 'chat' */
  operation?: Operation;
  /** @default 'POST' */
  method?: string;
  /** @default 'https://api.openai.com/v1/chat/completions' */
  url?: string;
  /** The JSON request body (serialised for you). @default a one-message chat request for 'gpt-4o-mini' */
  body?: unknown;
  /** Request headers. @default { 'content-type': 'application/json' } */
  headers?: Record<string, string>;
  /** The caller's abort signal. */
  signal?: AbortSignal;
  /** A clock; tests pass a fake one. @default a clock that starts at 0 and advances only when told */
  now?: () => number;
  /** @default 'test_1' */
  id?: string;
  user?: string | null;
  session?: string | null;
  tags?: readonly string[];
}

/**
 * Builds a {@link CallContext} as Sluice would for a call, with `requestedModel` and `isStream` read
 * from the body.
 * @param options What the call looks like.
 * @example
 * const ctx = makeContext({ body: { model: 'gpt-4o', messages: [], stream: true } });
 * const response = await myMiddleware(ctx, fakeNext({ json: { ok: true } }));
 */
export function makeContext(options: MakeContextOptions = {}): CallContext {
  const body = options.body ?? { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const bodyText = JSON.stringify(body);
  const init: RequestInit = {
    method: options.method ?? 'POST',
    headers: options.headers ?? { 'content-type': 'application/json' },
    body: bodyText,
  };
  if (options.signal !== undefined) init.signal = options.signal;
  const ctx = new CallContext({
    id: options.id ?? 'test_1',
    dialect: options.dialect ?? 'openai',
    operation: options.operation ?? 'chat',
    method: options.method ?? 'POST',
    url: options.url ?? 'https://api.openai.com/v1/chat/completions',
    init,
    bodyText,
    now: options.now ?? (() => 0),
    startedAt: 0,
    user: options.user ?? null,
    session: options.session ?? null,
    tags: options.tags ?? [],
  });
  const parsed = body as { model?: unknown; stream?: unknown };
  if (typeof parsed.model === 'string') ctx.requestedModel = parsed.model;
  ctx.isStream = parsed.stream === true;
  return ctx;
}

/** What a {@link fakeNext} answers. */
export type FakeAnswer =
  | { json: unknown; status?: number; headers?: Record<string, string> }
  | { sse: string[]; status?: number; headers?: Record<string, string> }
  | { error: unknown }
  | ((ctx: CallContext) => Response | Promise<Response>);

/** A fake `next` that records the contexts it was called with. */
export interface FakeNext extends Next {
  /** Every context passed to it, in order. */
  readonly calls: CallContext[];
}

/**
 * Creates a fake `next` answering in turn with each answer given (the last one repeats).
 * @param answers JSON bodies, SSE events, errors to throw, or functions building a response.
 * @example
 * const next = fakeNext({ json: { id: 'chatcmpl-1' } }, { error: new TypeError('fetch failed') });
 */
export function fakeNext(...answers: FakeAnswer[]): FakeNext {
  const calls: CallContext[] = [];
  const list = answers.length === 0 ? [{ json: {} }] : answers;
  const next = async (ctx: CallContext): Promise<Response> => {
    const answer = list[Math.min(calls.length, list.length - 1)]!;
    calls.push(ctx);
    if (typeof answer === 'function') return answer(ctx);
    if ('error' in answer) throw answer.error;
    if ('json' in answer) {
      return new Response(JSON.stringify(answer.json), {
        status: answer.status ?? 200,
        headers: { 'content-type': 'application/json', ...answer.headers },
      });
    }
    const encoder = new TextEncoder();
    const events = answer.sse;
    let index = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (index < events.length) controller.enqueue(encoder.encode(events[index++]!));
        else controller.close();
      },
    });
    return new Response(stream, { status: answer.status ?? 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', ...answer.headers } });
  };
  return Object.assign(next, { calls });
}
