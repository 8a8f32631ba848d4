/**
 * sluice/node's pools: bounded per origin, reused, closed by `close()` (and by `sluice.close()`); aborts
 * at each phase reject with the caller's reason and close the upstream socket; time limits.
 */
import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { createMockProvider } from '../../src/testing/index.js';
import { closedAfterEach, json } from './server.js';

const { server, transport } = closedAfterEach();

describe('pool', () => {
  it('never opens more than connectionsPerOrigin sockets under 1,000 concurrent calls, and serves them all', { timeout: 30_000 }, async () => {
    const upstream = await server((request, response) => json(response, { path: request.url }));
    const send = transport({ connectionsPerOrigin: 8 });
    const answers = await Promise.all(Array.from({ length: 1_000 }, (_value, index) => send(`${upstream.origin}/${index}`).then((response) => response.json() as Promise<{ path: string }>)));
    expect(answers.map((answer) => answer.path)).toEqual(Array.from({ length: 1_000 }, (_value, index) => `/${index}`));
    expect(upstream.maxOpen).toBeLessThanOrEqual(8);
    expect(upstream.opened).toBeLessThanOrEqual(8);
  });

  it('keeps connections alive between calls, and close() closes them', async () => {
    const upstream = await server((_request, response) => json(response, { ok: true }));
    const send = transport();
    for (let index = 0; index < 5; index++) {
      await (await send(upstream.url)).json();
      // undici frees a connection on its next turn (Node's fetch opens a second one without this too).
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(upstream.opened).toBe(1);
    expect(upstream.open).toBe(1);
    await send.close();
    await upstream.closedAtLeast(1);
    expect(upstream.open).toBe(0);
    await expect(send(upstream.url)).rejects.toThrow('fetch failed');
  });

  it('sluice.close() closes the pools of the transport it was given', async () => {
    const mock = await createMockProvider();
    const sluice = createSluice({ fetch: transport() });
    const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await sluice.close();
    // The mock's own close waits for every socket: it would hang on a pooled keep-alive connection.
    await mock.close();
  });
});

describe('aborts', () => {
  /** A server that answers headers and one chunk, then holds the body open until the socket closes. */
  const holding = (withBody: boolean) => (_request: unknown, response: ServerResponse) => {
    if (!withBody) return;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: first\n\n');
  };

  it('an already-aborted signal rejects with its reason and never connects', async () => {
    const upstream = await server(holding(true));
    const controller = new AbortController();
    const reason = new Error('stop before');
    controller.abort(reason);
    await expect(transport()(upstream.url, { signal: controller.signal })).rejects.toBe(reason);
    expect(upstream.opened).toBe(0);
  });

  it('an abort while waiting for headers rejects with the reason, closes the socket, and frees the pool', async () => {
    let arrived: () => void = () => undefined;
    const isArrived = new Promise<void>((resolve) => (arrived = resolve));
    const upstream = await server((request, response) => {
      if (request.url === '/hold') return arrived();
      json(response, { ok: true });
    });
    const send = transport({ connectionsPerOrigin: 1 });
    const controller = new AbortController();
    const pending = send(`${upstream.origin}/hold`, { signal: controller.signal });
    await isArrived;
    const reason = new Error('stop waiting');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await upstream.closedAtLeast(1);
    // The only connection slot is free again.
    expect(await (await send(`${upstream.origin}/next`)).json()).toEqual({ ok: true });
  });

  it('an abort mid-body errors the body with the reason and closes the socket', async () => {
    const upstream = await server(holding(true));
    const controller = new AbortController();
    const response = await transport()(upstream.url, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    const reason = new Error('stop reading');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
    await upstream.closedAtLeast(1);
  });

  it('cancelling the body mid-stream closes the socket', async () => {
    const upstream = await server(holding(true));
    const response = await transport()(upstream.url);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await upstream.seen[0]!.socketClosed;
  });

  it('an SDK abort through Sluice mid-stream closes the upstream socket', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] })}\n\n`);
    });
    const sluice = createSluice({ fetch: transport() });
    const client = new OpenAI({ baseURL: `${upstream.origin}/v1`, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content).toBe('hi');
      controller.abort();
    }
    await upstream.closedAtLeast(1);
    await sluice.close();
  });
});

describe('time limits', () => {
  it('fails a call whose headers do not come within firstByteMs, as fetch fails (TypeError with the cause)', async () => {
    const upstream = await server(() => undefined);
    const error = await transport({ timeouts: { firstByteMs: 100 } })(upstream.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('errors a body that stays idle past idleMs', async () => {
    const upstream = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    });
    const response = await transport({ timeouts: { idleMs: 100 } })(upstream.url);
    const reader = response.body!.getReader();
    await reader.read();
    const error = await reader.read().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe('UND_ERR_BODY_TIMEOUT');
  });

  it('aborts a call past totalMs with a TimeoutError', async () => {
    const upstream = await server(() => undefined);
    const error = await transport({ timeouts: { totalMs: 100 } })(upstream.url).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('TimeoutError');
    await upstream.closedAtLeast(1);
  });
});
