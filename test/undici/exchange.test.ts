import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Exchange, legacyHandler, rawHeadersOf } from '../../src/undici/exchange.js';
import type { DispatchController, LegacyDispatchHandler } from '../../src/undici/types.js';

/** Lets pending promise callbacks and I/O callbacks run: the relay has had every chance to read on. */
async function settleTurns(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

interface Recorded {
  calls: string[];
  chunks: string[];
  status: number | null;
  headers: Record<string, string>;
  error: Error | null;
  resume: () => void;
}

function recordingHandler(overrides: Partial<LegacyDispatchHandler> = {}): { handler: LegacyDispatchHandler; seen: Recorded } {
  const seen: Recorded = { calls: [], chunks: [], status: null, headers: {}, error: null, resume: () => {} };
  const handler: LegacyDispatchHandler = {
    onConnect: () => seen.calls.push('connect'),
    onResponseStarted: () => seen.calls.push('started'),
    onHeaders(status, raw, resume) {
      seen.calls.push('headers');
      seen.status = status;
      seen.resume = resume;
      for (let index = 0; index < raw.length; index += 2) seen.headers[raw[index]!.toString()] = raw[index + 1]!.toString();
      return true;
    },
    onData(chunk) {
      seen.calls.push('data');
      seen.chunks.push(chunk.toString());
      return true;
    },
    onComplete: () => seen.calls.push('complete'),
    onError(error) {
      seen.calls.push('error');
      seen.error = error;
    },
    ...overrides,
  };
  return { handler, seen };
}

function controlledBody(): { stream: ReadableStream<Uint8Array>; push(text: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, push: (text) => controller.enqueue(new TextEncoder().encode(text)), end: () => controller.close() };
}

describe('Exchange', () => {
  it('plays a response as connect, started, headers, data…, complete', async () => {
    const { handler, seen } = recordingHandler();
    const exchange = new Exchange(handler);
    exchange.connect();
    await exchange.run(async () => new Response('hello', { status: 201, headers: { 'x-a': '1' } }));
    expect(seen.calls).toEqual(['connect', 'started', 'headers', 'data', 'complete']);
    expect(seen.status).toBe(201);
    expect(seen.headers['x-a']).toBe('1');
    expect(seen.chunks.join('')).toBe('hello');
    expect(exchange.isFinished).toBe(true);
  });

  it('completes a bodiless response right after its headers', async () => {
    const { handler, seen } = recordingHandler();
    const exchange = new Exchange(handler);
    await exchange.run(async () => new Response(null, { status: 204 }));
    expect(seen.calls).toEqual(['started', 'headers', 'complete']);
  });

  it('stops reading while paused and reads on after resume()', async () => {
    const body = controlledBody();
    let isFirst = true;
    const { handler, seen } = recordingHandler({
      onData(chunk) {
        seen.chunks.push(chunk.toString());
        const shouldPause = isFirst;
        isFirst = false;
        return !shouldPause;
      },
    });
    const exchange = new Exchange(handler);
    const running = exchange.run(async () => new Response(body.stream));
    body.push('a');
    body.push('b');
    await settleTurns();
    expect(seen.chunks).toEqual(['a']);
    seen.resume();
    body.end();
    await running;
    expect(seen.chunks).toEqual(['a', 'b']);
    expect(seen.calls.at(-1)).toBe('complete');
  });

  it('pauses before the first chunk when onHeaders returns false', async () => {
    const { handler, seen } = recordingHandler({
      onHeaders(_status, _raw, resume) {
        seen.resume = resume;
        return false;
      },
    });
    const exchange = new Exchange(handler);
    const running = exchange.run(async () => new Response('x'));
    await settleTurns();
    expect(seen.chunks).toEqual([]);
    seen.resume();
    await running;
    expect(seen.chunks).toEqual(['x']);
  });

  it('aborting mid-body cancels the body, aborts the signal and reports the reason once', async () => {
    let cancelReason: unknown;
    const watched = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('first')),
      cancel(reason) {
        cancelReason = reason;
      },
    });
    const { handler, seen } = recordingHandler();
    const exchange = new Exchange(handler);
    const running = exchange.run(async () => new Response(watched));
    await settleTurns();
    const reason = new Error('user abort');
    exchange.abort(reason);
    exchange.abort(new Error('again'));
    await running;
    expect(seen.calls).toEqual(['started', 'headers', 'data', 'error']);
    expect(seen.error).toBe(reason);
    expect(exchange.signal.aborted).toBe(true);
    expect(cancelReason).toBe(reason);
  });

  it('aborting before the response arrives reports an AbortError and drops the late response', async () => {
    const { handler, seen } = recordingHandler();
    const exchange = new Exchange(handler);
    let answer!: (response: Response) => void;
    const running = exchange.run(() => new Promise<Response>((resolve) => (answer = resolve)));
    exchange.abort();
    const late = new Response('late');
    answer(late);
    await running;
    expect(seen.calls).toEqual(['error']);
    expect(seen.error).toMatchObject({ name: 'AbortError', code: 'UND_ERR_ABORTED' });
    expect(late.bodyUsed || late.body?.locked).toBeTruthy();
  });

  it('aborting from inside onConnect finishes before any call is made', () => {
    const { handler, seen } = recordingHandler({ onConnect: (abort) => abort(new Error('early')) });
    const exchange = new Exchange(handler);
    exchange.connect();
    expect(exchange.isFinished).toBe(true);
    expect(seen.calls).toEqual(['error']);
  });

  it('turns a failed call or a throwing handler into onError', async () => {
    const failed = recordingHandler();
    await new Exchange(failed.handler).run(async () => {
      throw new TypeError('fetch failed');
    });
    expect(failed.seen.calls).toEqual(['error']);
    expect(failed.seen.error?.message).toBe('fetch failed');

    const throwing = recordingHandler({
      onData() {
        throw new Error('handler bug');
      },
    });
    await new Exchange(throwing.handler).run(async () => new Response('x'));
    expect(throwing.seen.calls).toEqual(['started', 'headers', 'error']);
    expect(throwing.seen.error?.message).toBe('handler bug');
  });

  it('reports an error in the middle of the body', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part'));
        controller.error(new Error('socket hang up'));
      },
    });
    const { handler, seen } = recordingHandler();
    await new Exchange(handler).run(async () => new Response(stream));
    expect(seen.calls.at(-1)).toBe('error');
    expect(seen.error?.message).toBe('socket hang up');
  });
});

describe('rawHeadersOf', () => {
  it('drops content-encoding and content-length of a body fetch has decoded', async () => {
    const decoded = new Response('text', { headers: { 'content-encoding': 'gzip', 'content-length': '24', 'x-kept': '1' } });
    expect(rawHeadersOf(decoded).map(String)).toEqual(['content-type', 'text/plain;charset=UTF-8', 'x-kept', '1']);
  });

  it('keeps them for codings fetch leaves alone and for bodiless responses', () => {
    const unknown = new Response(gzipSync('x'), { headers: { 'content-encoding': 'compress', 'content-length': '21' } });
    expect(rawHeadersOf(unknown).map(String)).toEqual(['content-encoding', 'compress', 'content-length', '21']);
    const head = new Response(null, { headers: { 'content-encoding': 'gzip' } });
    expect(rawHeadersOf(head).map(String)).toEqual(['content-encoding', 'gzip']);
  });
});

describe('legacyHandler', () => {
  it('passes a callback-style handler through', () => {
    const handler = { onHeaders: () => true };
    expect(legacyHandler(handler)).toBe(handler);
  });

  it('drives a controller-style (undici 7) handler, pause and resume included', async () => {
    const events: string[] = [];
    let paused: DispatchController | null = null;
    const handler = legacyHandler({
      onRequestStart: () => events.push('start'),
      onResponseStart(_controller, status, headers, statusMessage) {
        events.push(`response ${status} ${statusMessage ?? ''} ${JSON.stringify(headers)}`);
      },
      onResponseData(controller, chunk) {
        events.push(`data ${chunk.toString()}`);
        if (paused === null) {
          paused = controller;
          controller.pause();
        }
      },
      onResponseEnd: () => events.push('end'),
      onResponseError: (_controller, error) => events.push(`error ${error.message}`),
    });
    const body = controlledBody();
    const exchange = new Exchange(handler);
    exchange.connect();
    const running = exchange.run(async () => new Response(body.stream, { status: 200, statusText: 'OK', headers: [['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']] }));
    body.push('one');
    body.push('two');
    await settleTurns();
    expect(events.filter((event) => event.startsWith('data'))).toEqual(['data one']);
    expect(paused!.paused).toBe(true);
    paused!.resume();
    body.end();
    await running;
    expect(events).toEqual(['start', 'response 200 OK {"set-cookie":["a=1","b=2"],"x-a":"1"}', 'data one', 'data two', 'end']);
  });

  it('lets a controller-style handler abort', async () => {
    const events: string[] = [];
    const handler = legacyHandler({
      onRequestStart: () => {},
      onResponseStart(controller) {
        controller.abort(new Error('not wanted'));
        events.push(`aborted ${String(controller.aborted)} ${controller.reason?.message ?? ''}`);
      },
      onResponseError: (_controller, error) => events.push(`error ${error.message}`),
    });
    const exchange = new Exchange(handler);
    exchange.connect();
    await exchange.run(async () => new Response('x'));
    expect(events).toEqual(['error not wanted', 'aborted true not wanted']);
  });
});
