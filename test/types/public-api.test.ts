import { describe, expectTypeOf, it } from 'vitest';
import {
  createSluice,
  type CallContext,
  type CallRecord,
  type EventOf,
  type Middleware,
  type Next,
  type RequestEndEvent,
  type Sluice,
  type SluiceConfig,
  type SluiceEvent,
} from '../../src/index.js';

describe('public types', () => {
  it('sluice.fetch has the global fetch signature', () => {
    expectTypeOf<Sluice['fetch']>().toEqualTypeOf<typeof globalThis.fetch>();
  });

  it('listeners receive the exact payload of their event', () => {
    const sluice = createSluice();
    sluice.on('request:end', (event) => {
      expectTypeOf(event).toEqualTypeOf<RequestEndEvent>();
      expectTypeOf(event.record).toEqualTypeOf<CallRecord>();
    });
    sluice.on('passthrough:end', (event) => expectTypeOf(event.status).toEqualTypeOf<number | null>());
    expectTypeOf<EventOf<'export:drop'>['reason']>().toEqualTypeOf<'queue_full' | 'export_failed' | 'closed' | 'rejected'>();
    // @ts-expect-error an unknown event name is a type error
    sluice.on('request:finish', () => undefined);
  });

  it('the event union is discriminated on type', () => {
    expectTypeOf<SluiceEvent['type']>().toEqualTypeOf<
      | 'request:start'
      | 'attempt:end'
      | 'request:end'
      | 'request:error'
      | 'passthrough:end'
      | 'listener:error'
      | 'callback:error'
      | 'metadata:drop'
      | 'export:drop'
      | 'cache:hit'
      | 'cache:miss'
      | 'limit:wait'
      | 'limit:reject'
      | 'budget:threshold'
      | 'budget:reject'
      | 'guard:match'
      | 'store:error'
      | 'store:recover'
      | 'route:retry'
      | 'route:fallback'
      | 'route:skip'
      | 'target:eject'
      | 'target:recover'
      | 'target:force'
    >();
  });

  it('middleware takes the context and next, and returns a response', () => {
    expectTypeOf<Middleware>().toEqualTypeOf<(ctx: CallContext, next: Next) => Promise<Response>>();
  });

  it('the record keeps unknown cost as null', () => {
    expectTypeOf<CallRecord['costUsd']>().toEqualTypeOf<number | null>();
    expectTypeOf<CallRecord['usage']['inputTokens']>().toEqualTypeOf<number | null>();
  });

  it('config is plain data with no zod types in it', () => {
    const config = { providers: { local: { kind: 'openai', baseURL: 'http://127.0.0.1:9000/v1', apiKey: 'k' } } } satisfies SluiceConfig;
    expectTypeOf(config).toMatchTypeOf<SluiceConfig>();
    // @ts-expect-error kind is a closed union
    const wrong: SluiceConfig = { providers: { local: { kind: 'nope' } } };
    void wrong;
  });
});
