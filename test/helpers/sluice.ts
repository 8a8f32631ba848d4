import OpenAI, { type ClientOptions } from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';
import type { Sluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import type { EventOf, SluiceEventType } from '../../src/events/types.js';

/** An OpenAI client whose fetch is `sluice.fetch`, without SDK retries unless asked. */
export function clientFor(sluice: Sluice, baseURL: string, options: ClientOptions = {}): OpenAI {
  return new OpenAI({ baseURL, apiKey: 'client-key', maxRetries: 0, logLevel: 'off', fetch: sluice.fetch, ...options });
}

/** An OpenAI client straight to the mock, for comparison. */
export function directClient(baseURL: string, options: ClientOptions = {}): OpenAI {
  return new OpenAI({ baseURL, apiKey: 'client-key', maxRetries: 0, logLevel: 'off', ...options });
}

/** Resolves with the next event of a type. */
export function nextEvent<T extends SluiceEventType>(sluice: Sluice, type: T): Promise<EventOf<T>> {
  return new Promise((resolve) => sluice.once(type, resolve));
}

/** Resolves with the record of the next call to end. */
export async function nextRecord(sluice: Sluice): Promise<CallRecord> {
  return (await nextEvent(sluice, 'request:end')).record;
}

/** Collects every event of a type, in order, from now on. */
export function collect<T extends SluiceEventType>(sluice: Sluice, type: T): EventOf<T>[] {
  const events: EventOf<T>[] = [];
  sluice.on(type, (event) => {
    events.push(event);
  });
  return events;
}

/** Rejects with what the promise rejected with, or fails when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Reads a stream to its end; resolves with what iterating it threw, or `null` when it ended cleanly. */
export async function streamError(stream: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of stream) void _;
  } catch (caught) {
    return caught;
  }
  return null;
}

export const messages = [{ role: 'user' as const, content: 'hello brave new world' }];

/**
 * An underlying fetch (Sluice's `fetch` option) that hands the upstream body on in pieces of `size`
 * bytes, so stream handling is exercised at boundaries TCP would otherwise merge.
 */
export function rechunkingFetch(size: number): typeof fetch {
  return async (input, init) => {
    const upstream = await fetch(input, init);
    if (upstream.body === null) return upstream;
    const bytes = new Uint8Array(await upstream.arrayBuffer());
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
    });
    return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers: upstream.headers });
  };
}

/**
 * Starts one mock provider for the file (port 0), resets it before each test and closes it after the
 * last: `let mock: MockProvider; useMock((created) => (mock = created));`
 */
export function useMock(set: (mock: MockProvider) => void): void {
  let current: MockProvider | undefined;
  beforeAll(async () => {
    current = await createMockProvider();
    set(current);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    current?.reset();
  });
}
