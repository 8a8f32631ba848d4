/**
 * sluice/node's transport against local servers: redirects (credentials never reach another origin),
 * decompression (streamed SSE included), request bodies of every kind, and fetch's errors.
 */
import OpenAI, { toFile } from 'openai';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { closedAfterEach, json, startServer } from './server.js';

const { server, transport } = closedAfterEach();

const CREDENTIALS = { authorization: 'Bearer sk-secret-1', 'x-api-key': 'sk-secret-2', 'x-goog-api-key': 'sk-secret-3', 'api-key': 'sk-secret-4' };

describe('redirects', () => {
  it('follows a 307 within the origin with the method, body and credentials, as fetch does', async () => {
    const upstream = await server((request, response) => {
      if (request.url === '/start') return void response.writeHead(307, { location: '/final' }).end();
      json(response, { method: request.method, body: request.body.toString(), auth: request.headers.authorization });
    });
    const response = await transport()(`${upstream.origin}/start`, { method: 'POST', headers: CREDENTIALS, body: '{"a":1}' });
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer sk-secret-1' });
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${upstream.origin}/final`);
  });

  it('turns a POST into a GET without body headers on 303, as fetch does', async () => {
    const upstream = await server((request, response) => {
      if (request.url === '/start') return void response.writeHead(303, { location: '/final' }).end();
      json(response, { method: request.method, length: request.body.length, type: request.headers['content-type'] ?? null });
    });
    const response = await transport()(`${upstream.origin}/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await response.json()).toEqual({ method: 'GET', length: 0, type: null });
  });

  it('drops every credential header on a hop to another origin, and keeps the others', async () => {
    const other = await server((request, response) => json(response, { ok: true }));
    const first = await server((_request, response) => void response.writeHead(302, { location: `${other.origin}/landed` }).end());
    const response = await transport()(`${first.origin}/start`, { headers: { ...CREDENTIALS, 'x-trace': 't1' } });
    expect(response.status).toBe(200);
    expect(other.seen).toHaveLength(1);
    const headers = other.seen[0]!.headers;
    for (const name of Object.keys(CREDENTIALS)) expect(headers[name]).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain('sk-secret');
    expect(headers['x-trace']).toBe('t1');
  });

  it('through Sluice, a provider redirect to another origin is refused and the key never reaches it', async () => {
    const other = await server((_request, response) => json(response, { ok: true }));
    const provider = await server((_request, response) => void response.writeHead(307, { location: `${other.origin}/v1/chat/completions` }).end());
    const sluice = createSluice({ fetch: transport() });
    const client = new OpenAI({ baseURL: `${provider.origin}/v1`, apiKey: 'sk-secret-key', maxRetries: 0, fetch: sluice.fetch });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(other.seen).toHaveLength(0);
    await sluice.close();
  });

  it("returns the 3xx itself with redirect: 'manual', and fails with 'error' or past the limit", async () => {
    const upstream = await server((request, response) => void response.writeHead(302, { location: request.url === '/a' ? '/b' : '/a' }).end());
    const manual = await transport()(`${upstream.origin}/a`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/b');
    await expect(transport()(`${upstream.origin}/a`, { redirect: 'error' })).rejects.toThrow(TypeError);
    const looped = await transport({ maxRedirects: 3 })(`${upstream.origin}/a`).catch((caught: unknown) => caught);
    expect(looped).toBeInstanceOf(TypeError);
    expect(((looped as Error).cause as Error).message).toBe('redirect count exceeded');
  });
});

describe('decompression', () => {
  const answer = { id: 'chatcmpl-1', choices: [{ message: { role: 'assistant', content: 'hello '.repeat(200) } }] };
  const encoders: Record<string, (bytes: Buffer) => Buffer> = {
    gzip: (bytes) => zlib.gzipSync(bytes),
    deflate: (bytes) => zlib.deflateSync(bytes),
    'deflate (raw)': (bytes) => zlib.deflateRawSync(bytes),
    br: (bytes) => zlib.brotliCompressSync(bytes),
  };
  for (const [name, encode] of Object.entries(encoders)) {
    it(`decodes a ${name} body and keeps content-encoding, as fetch does`, async () => {
      const coding = name.split(' ')[0]!;
      const upstream = await server((request, response) => {
        const body = encode(Buffer.from(JSON.stringify(answer)));
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding, 'content-length': body.length, 'x-asked': String(request.headers['accept-encoding']) });
        response.end(body);
      });
      const response = await transport()(upstream.url);
      expect(await response.json()).toEqual(answer);
      expect(response.headers.get('content-encoding')).toBe(coding);
      expect(response.headers.get('x-asked')).toBe('gzip, deflate, br');
    });
  }

  it.skipIf(typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync !== 'function')('decodes zstd where the runtime has it', async () => {
    const compress = (zlib as unknown as { zstdCompressSync: (bytes: Buffer) => Buffer }).zstdCompressSync;
    const upstream = await server((_request, response) => {
      const body = compress(Buffer.from(JSON.stringify(answer)));
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' }).end(body);
    });
    expect(await (await transport()(upstream.url)).json()).toEqual(answer);
  });

  it('passes an unknown coding through still encoded', async () => {
    const upstream = await server((_request, response) => void response.writeHead(200, { 'content-encoding': 'x-custom' }).end('raw bytes'));
    expect(await (await transport()(upstream.url)).text()).toBe('raw bytes');
  });

  for (const coding of ['gzip', 'deflate', 'br'] as const) {
    it(`hands each event of a ${coding} SSE stream to the reader before the next one is sent`, async () => {
      const gate = { sendNext: (): void => undefined };
      const upstream = await server(async (_request, response) => {
        const encoder = coding === 'gzip' ? zlib.createGzip() : coding === 'deflate' ? zlib.createDeflate() : zlib.createBrotliCompress();
        response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': coding });
        encoder.pipe(response);
        for (let index = 0; index < 3; index++) {
          encoder.write(`data: {"n":${index}}\n\n`);
          // Flush this event and wait until the client has read it.
          await new Promise<void>((resolve) => encoder.flush(() => resolve()));
          await new Promise<void>((resolve) => (gate.sendNext = resolve));
        }
        encoder.end('data: [DONE]\n\n');
      });
      const response = await transport()(upstream.url);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const events: string[] = [];
      let buffered = '';
      while (events.length < 4) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const parts = buffered.split('\n\n');
        buffered = parts.pop()!;
        for (const part of parts) {
          events.push(part);
          gate.sendNext();
        }
      }
      expect(events).toEqual(['data: {"n":0}', 'data: {"n":1}', 'data: {"n":2}', 'data: [DONE]']);
    });
  }
});

describe('request bodies', () => {
  const echo = (request: { method: string; headers: Record<string, unknown>; body: Buffer }, response: Parameters<typeof json>[0]): void =>
    json(response, { type: request.headers['content-type'] ?? null, length: request.headers['content-length'] ?? null, chunked: request.headers['transfer-encoding'] ?? null, body: request.body.toString('base64') });

  it('sends strings, bytes, URLSearchParams, Blobs and streams with the headers fetch adds', async () => {
    const upstream = await server(echo);
    const send = transport();
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const read = async (body: BodyInit, init: RequestInit = {}): Promise<{ type: string | null; length: string | null; chunked: string | null; body: string }> =>
      (await send(upstream.url, { method: 'POST', body, ...init })).json() as never;
    expect(await read('héllo')).toEqual({ type: 'text/plain;charset=UTF-8', length: '6', chunked: null, body: Buffer.from('héllo').toString('base64') });
    expect(await read(bytes)).toMatchObject({ type: null, length: '5', body: Buffer.from(bytes).toString('base64') });
    expect(await read(bytes.buffer)).toMatchObject({ length: '5', body: Buffer.from(bytes).toString('base64') });
    expect(await read(new URLSearchParams({ a: '1 2' }))).toMatchObject({ type: 'application/x-www-form-urlencoded;charset=UTF-8', body: Buffer.from('a=1+2').toString('base64') });
    expect(await read(new Blob([bytes], { type: 'application/x-thing' }))).toMatchObject({ type: 'application/x-thing', length: '5', body: Buffer.from(bytes).toString('base64') });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part one, '));
        controller.enqueue(new TextEncoder().encode('part two'));
        controller.close();
      },
    });
    expect(await read(stream, { duplex: 'half' } as RequestInit)).toMatchObject({ chunked: 'chunked', body: Buffer.from('part one, part two').toString('base64') });
  });

  it('sends a multipart upload byte for byte as fetch does (boundary aside), through Sluice and the OpenAI SDK', async () => {
    const upstream = await server((_request, response) => json(response, { id: 'file-1', object: 'file', bytes: 256, created_at: 0, filename: 'data.bin', purpose: 'fine-tune', status: 'uploaded' }));
    const bytes = new Uint8Array(256).map((_value, index) => index);
    const upload = async (fetchImpl?: typeof fetch): Promise<void> => {
      const client = new OpenAI({ baseURL: `${upstream.origin}/v1`, apiKey: 'k', maxRetries: 0, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) });
      await client.files.create({ file: await toFile(bytes, 'data.bin', { type: 'application/octet-stream' }), purpose: 'fine-tune' });
    };
    const sluice = createSluice({ fetch: transport() });
    await upload(sluice.fetch);
    await upload();
    await sluice.close();
    const [through, direct] = upstream.seen;
    const boundaryOf = (type: unknown): string => /boundary=(.+)$/.exec(String(type))![1]!;
    const normalised = (seen: typeof through): string => seen!.body.toString('latin1').split(boundaryOf(seen!.headers['content-type'])).join('BOUNDARY');
    expect(normalised(through)).toBe(normalised(direct));
    expect(through!.headers['content-length']).toBe(direct!.headers['content-length']);
    expect(through!.body.includes(Buffer.from(bytes))).toBe(true);
  });
});

describe('errors', () => {
  it('rejects as fetch does when nothing listens (TypeError: fetch failed, with the cause)', async () => {
    const closed = await startServer(() => undefined);
    const origin = closed.origin;
    await closed.close();
    const error = await transport()(`${origin}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('gives 204 and HEAD answers a null body and the status text', async () => {
    const upstream = await server((_request, response) => void response.writeHead(204).end());
    const response = await transport()(upstream.url, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.statusText).toBe('No Content');
    expect(response.body).toBeNull();
  });

  it('hands data: URLs to the platform fetch', async () => {
    expect(await (await transport()('data:,hello')).text()).toBe('hello');
  });
});
