import { describe, expect, it } from 'vitest';
import { CallContext } from '../../src/core/context.js';
import type { Middleware } from '../../src/core/types.js';
import { fakeNext, makeContext } from '../../src/testing/harness.js';

/** An example middleware: pins a model and tags the call, retrying once on a 5xx. */
const pinModel: Middleware = async function pinModel(ctx, next) {
  const body = ctx.body as { model?: string } | undefined;
  if (body?.model === 'cheap') ctx.setBody({ ...body, model: 'gpt-4o-mini' });
  ctx.tags = [...ctx.tags, 'pinned'];
  const response = await next(ctx);
  if (response.status < 500) return response;
  await response.body?.cancel();
  return next(ctx);
};

describe('a middleware under makeContext and fakeNext', () => {
  it('changes the body and tags, then returns what next returned', async () => {
    const ctx = makeContext({ body: { model: 'cheap', messages: [] } });
    const next = fakeNext({ json: { id: 'chatcmpl-1' } });
    const response = await pinModel(ctx, next);
    expect(await response.json()).toEqual({ id: 'chatcmpl-1' });
    expect(next.calls).toEqual([ctx]);
    expect(ctx.isBodyChanged).toBe(true);
    expect(ctx.body).toEqual({ model: 'gpt-4o-mini', messages: [] });
    expect(ctx.bodyText).toBe('{"model":"cheap","messages":[]}');
    expect(ctx.tags).toEqual(['pinned']);
  });

  it('calls next again after a 5xx and leaves an unchanged body alone', async () => {
    const ctx = makeContext();
    const next = fakeNext({ json: { error: { message: 'down' } }, status: 503 }, { json: { ok: true } });
    const response = await pinModel(ctx, next);
    expect(response.status).toBe(200);
    expect(next.calls).toHaveLength(2);
    expect(ctx.isBodyChanged).toBe(false);
  });

  it('sees a thrown error from next', async () => {
    const next = fakeNext({ error: new TypeError('fetch failed') });
    await expect(pinModel(makeContext(), next)).rejects.toThrow('fetch failed');
  });

  it('can read a fake SSE answer', async () => {
    const ctx = makeContext({ body: { model: 'gpt-4o', messages: [], stream: true } });
    expect(ctx.isStream).toBe(true);
    const response = await pinModel(ctx, fakeNext({ sse: ['data: {"a":1}\n\n', 'data: [DONE]\n\n'] }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toBe('data: {"a":1}\n\ndata: [DONE]\n\n');
  });
});

describe('CallContext', () => {
  it('parses the body once, and reads a body that is not JSON as undefined', () => {
    const ctx = makeContext();
    expect(ctx.body).toBe(ctx.body);
    expect(ctx.requestedModel).toBe('gpt-4o-mini');
    expect(ctx.isStream).toBe(false);
    const init = { id: 'x', dialect: 'openai', operation: 'chat', method: 'POST', url: 'https://h/v1/chat/completions', now: () => 0, startedAt: 0 } as const;
    expect(new CallContext({ ...init, init: { body: 'not json' }, bodyText: 'not json' }).body).toBeUndefined();
    expect(new CallContext({ ...init, init: {}, bodyText: null }).body).toBeUndefined();
  });

  it('copies headers on first access and never mutates the SDK headers', () => {
    const headers = { 'content-type': 'application/json', authorization: 'Bearer k' };
    const ctx = makeContext({ headers });
    expect(ctx.hasHeaderCopy).toBe(false);
    ctx.headers.set('x-extra', '1');
    ctx.headers.delete('authorization');
    expect(ctx.hasHeaderCopy).toBe(true);
    expect(ctx.headers.get('x-extra')).toBe('1');
    expect(headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer k' });
  });

  it('exposes the caller signal', () => {
    const controller = new AbortController();
    expect(makeContext({ signal: controller.signal }).signal).toBe(controller.signal);
    expect(makeContext().signal).toBeNull();
  });
});
