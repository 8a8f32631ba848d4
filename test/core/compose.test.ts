import { describe, expect, it } from 'vitest';
import { compose } from '../../src/core/compose.js';
import type { Middleware, Next } from '../../src/core/types.js';
import { makeContext } from '../../src/testing/harness.js';

function tracing(name: string, trace: string[]): Middleware {
  return async function traced(ctx, next) {
    trace.push(`${name}:in`);
    const response = await next(ctx);
    trace.push(`${name}:out`);
    return response;
  };
}

describe('compose', () => {
  it('runs the first middleware outermost and the terminal innermost', async () => {
    const trace: string[] = [];
    const terminal: Next = async () => {
      trace.push('terminal');
      return new Response('ok');
    };
    const chain = compose([tracing('a', trace), tracing('b', trace), tracing('c', trace)], terminal);
    expect(await (await chain(makeContext())).text()).toBe('ok');
    expect(trace).toEqual(['a:in', 'b:in', 'c:in', 'terminal', 'c:out', 'b:out', 'a:out']);
  });

  it('lets a middleware short-circuit: inner layers and the terminal never run', async () => {
    const trace: string[] = [];
    const stop: Middleware = async () => new Response('cached', { status: 203 });
    const terminal: Next = async () => {
      trace.push('terminal');
      return new Response('upstream');
    };
    const chain = compose([tracing('outer', trace), stop, tracing('inner', trace)], terminal);
    const response = await chain(makeContext());
    expect(response.status).toBe(203);
    expect(await response.text()).toBe('cached');
    expect(trace).toEqual(['outer:in', 'outer:out']);
  });

  it('returns the terminal itself when there is no middleware', () => {
    const terminal: Next = async () => new Response('direct');
    expect(compose([], terminal)).toBe(terminal);
  });

  it('passes the context each layer hands to next', async () => {
    const seen: string[] = [];
    const first = makeContext({ id: 'first' });
    const second = makeContext({ id: 'second' });
    const swap: Middleware = async (_ctx, next) => next(second);
    const chain = compose([swap], async (ctx) => {
      seen.push(ctx.id);
      return new Response(null, { status: 204 });
    });
    await chain(first);
    expect(seen).toEqual(['second']);
  });

  it('propagates a rejection from an inner layer to the outer ones', async () => {
    const boom: Middleware = async () => {
      throw new Error('inner failure');
    };
    const caught: Middleware = async (ctx, next) => next(ctx).catch((error: Error) => new Response(error.message, { status: 500 }));
    const response = await compose([caught, boom], async () => new Response('unreachable'))(makeContext());
    expect(await response.text()).toBe('inner failure');
  });
});
