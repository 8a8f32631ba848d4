import { CallContext, type EventSink } from '../../src/core/context.js';
import type { Dialect, Operation } from '../../src/events/record.js';
import type { SluiceEvent, SluiceEventType } from '../../src/events/types.js';

/** An event sink that keeps every event, for middleware unit tests. */
export interface RecordingSink extends EventSink {
  readonly events: SluiceEvent[];
  of<T extends SluiceEventType>(type: T): Extract<SluiceEvent, { type: T }>[];
}

/** Creates a sink that listens for everything and records it. */
export function recordingSink(): RecordingSink {
  const events: SluiceEvent[] = [];
  return {
    events,
    has: () => true,
    emit: (event) => {
      events.push(event);
    },
    of: <T extends SluiceEventType>(type: T) => events.filter((event): event is Extract<SluiceEvent, { type: T }> => event.type === type),
  };
}

/** What {@link callContext} builds. */
export interface CallOptions {
  body?: unknown;
  dialect?: Dialect;
  operation?: Operation;
  user?: string | null;
  tags?: readonly string[];
  signal?: AbortSignal;
  events?: EventSink;
  now?: () => number;
  id?: string;
}

let sequence = 0;

/**
 * A context like `makeContext()`'s, with an event sink (which `makeContext` does not take) and the
 * fake-timer clock by default.
 */
export function callContext(options: CallOptions = {}): CallContext {
  const body = options.body ?? { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const bodyText = JSON.stringify(body);
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyText };
  if (options.signal !== undefined) init.signal = options.signal;
  const ctx = new CallContext({
    id: options.id ?? `call_${++sequence}`,
    dialect: options.dialect ?? 'openai',
    operation: options.operation ?? 'chat',
    method: 'POST',
    url: 'https://api.openai.com/v1/chat/completions',
    init,
    bodyText,
    now: options.now ?? (() => Date.now()),
    startedAt: 0,
    user: options.user ?? null,
    tags: options.tags ?? [],
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  const parsed = body as { model?: unknown; stream?: unknown };
  if (typeof parsed.model === 'string') ctx.requestedModel = parsed.model;
  ctx.isStream = parsed.stream === true;
  return ctx;
}

/** Ends a call as the core would: sets its outcome (and usage), then runs its end listeners. */
export function endCall(ctx: CallContext, outcome: 'completed' | 'failed' | 'cancelled' | 'errored' = 'completed', usage?: { input: number; output: number }): void {
  if (usage !== undefined) ctx.usage = { ...ctx.usage, inputTokens: usage.input, outputTokens: usage.output };
  ctx.outcome = outcome;
  ctx.runEndListeners();
}

/** Settles pending microtasks (and the promise jobs of resolved fakes). */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round++) await Promise.resolve();
}
