import { describe, expect, it } from 'vitest';
import { toBody, toHeaders, toInit, urlOf } from '../../src/undici/request.js';

async function textOf(body: BodyInit | null): Promise<string> {
  return new Response(body).text();
}

describe('toHeaders', () => {
  it('reads the object form, with repeated values as arrays', () => {
    const headers = toHeaders({ 'X-One': '1', 'x-many': ['a', 'b'], 'x-number': 3, 'x-missing': undefined });
    expect([...headers]).toEqual([
      ['x-many', 'a, b'],
      ['x-number', '3'],
      ['x-one', '1'],
    ]);
  });

  it('reads the flat [name, value, …] form, Buffers included', () => {
    const headers = toHeaders(['x-a', '1', Buffer.from('x-b'), Buffer.from('2')]);
    expect(headers.get('x-a')).toBe('1');
    expect(headers.get('x-b')).toBe('2');
  });

  it('reads pairs and iterables of pairs', () => {
    expect(toHeaders([['x-a', '1']] as unknown as readonly string[]).get('x-a')).toBe('1');
    expect(toHeaders(new Map([['x-b', '2']])).get('x-b')).toBe('2');
  });

  it('drops connection-level headers the inner fetch frames or rejects itself', () => {
    const headers = toHeaders({
      host: 'example.com',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'content-length': '3',
      expect: '100-continue',
      upgrade: 'h2c',
      'content-type': 'application/json',
    });
    expect([...headers]).toEqual([['content-type', 'application/json']]);
  });

  it('throws on an invalid header value', () => {
    expect(() => toHeaders({ 'x-bad': 'a\nb' })).toThrow(TypeError);
  });
});

describe('toBody', () => {
  it('passes strings and bytes as they are', async () => {
    expect(toBody('abc')).toEqual({ body: 'abc', isStream: false });
    const bytes = new TextEncoder().encode('xyz');
    expect(toBody(bytes).body).toBe(bytes);
    expect(await textOf(toBody(Buffer.from('buf')).body)).toBe('buf');
    expect(toBody(null)).toEqual({ body: null, isStream: false });
    expect(toBody(undefined)).toEqual({ body: null, isStream: false });
  });

  it('turns async iterables into a stream, strings and bytes mixed', async () => {
    async function* chunks(): AsyncGenerator<string | Uint8Array> {
      yield '{"a":';
      yield new TextEncoder().encode('1}');
    }
    const converted = toBody(chunks());
    expect(converted.isStream).toBe(true);
    expect(await textOf(converted.body)).toBe('{"a":1}');
  });

  it('turns sync iterables into a stream', async () => {
    const converted = toBody([Buffer.from('a'), Buffer.from('b')]);
    expect(converted.isStream).toBe(true);
    expect(await textOf(converted.body)).toBe('ab');
  });

  it('passes a web ReadableStream as a stream', () => {
    const stream = new Response('s').body!;
    expect(toBody(stream)).toEqual({ body: stream, isStream: true });
  });

  it('closes the iterator when the stream is cancelled', async () => {
    let isReturned = false;
    const iterable: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: 'x' }),
        return: async () => {
          isReturned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const stream = toBody(iterable).body as ReadableStream<Uint8Array>;
    await stream.cancel(new Error('stop'));
    expect(isReturned).toBe(true);
  });

  it('rejects other body types', () => {
    expect(() => toBody(42 as unknown as string)).toThrow(/unsupported request body/);
  });
});

describe('urlOf', () => {
  it('joins origin and path, applying query', () => {
    expect(urlOf({ origin: 'http://127.0.0.1:8080', path: '/v1/x?a=1', method: 'GET' })?.href).toBe('http://127.0.0.1:8080/v1/x?a=1');
    expect(urlOf({ origin: new URL('https://api.openai.com/ignored'), path: '/v1/models', method: 'GET', query: { b: 2, c: ['x', 'y'] } })?.href).toBe(
      'https://api.openai.com/v1/models?b=2&c=x&c=y',
    );
  });

  it('returns null without a usable origin', () => {
    expect(urlOf({ path: '/v1', method: 'GET' })).toBeNull();
    expect(urlOf({ origin: 'not a url', path: '/v1', method: 'GET' })).toBeNull();
  });
});

describe('toInit', () => {
  it('asks for redirects back unless the dispatch follows them, and marks stream bodies half-duplex', () => {
    const signal = new AbortController().signal;
    const init = toInit({ path: '/', method: 'POST', body: [Buffer.from('a')] }, signal);
    expect(init).toMatchObject({ method: 'POST', redirect: 'manual', duplex: 'half', signal });
    expect(toInit({ path: '/', method: 'GET', maxRedirections: 2 }, signal)).toMatchObject({ redirect: 'follow', body: null });
    expect('duplex' in toInit({ path: '/', method: 'POST', body: 'x' }, signal)).toBe(false);
  });
});
