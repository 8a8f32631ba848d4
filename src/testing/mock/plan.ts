/**
 * Turns a rendered answer and a scripted step into what the server does: the bytes to write, in which
 * chunks, and how the exchange ends. Pure: no I/O, no clock.
 *
 * @module
 */

import type {
  MockMalformedStep,
  MockMidStreamErrorStep,
  MockRawStep,
  MockResetMidStreamStep,
  MockStallStep,
} from './script.js';
import { firstHalf, type Chunk, type Render } from './render.js';

/** How an exchange ends once its chunks are written. */
export type WriteEnding = 'end' | 'stall' | 'destroy';

/** Status, headers and chunks to write, then how to end. */
export interface WritePlan {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Body pieces, each written with its own `res.write`. */
  readonly chunks: readonly Chunk[];
  readonly ending: WriteEnding;
}

/** What the server does with a request after `latencyMs`. */
export type Action = { readonly type: 'hang' } | { readonly type: 'reset' } | { readonly type: 'write'; readonly plan: WritePlan };

/** A step that cuts or corrupts a healthy answer. */
export type FaultStep = MockStallStep | MockResetMidStreamStep | MockMalformedStep | MockMidStreamErrorStep;

/** The dialect's body for an error that a non-streaming answer reports with HTTP 200. */
export type JsonErrorBody = (step: MockMidStreamErrorStep) => string;

function withLength(headers: Readonly<Record<string, string>>, body: Chunk): Record<string, string> {
  return { ...headers, 'content-length': String(Buffer.byteLength(body)) };
}

/**
 * The plan of a healthy answer: JSON at once, or every stream event as its own chunk.
 * @param render - the rendered answer
 */
export function healthyPlan(render: Render): WritePlan {
  if (render.type === 'json') {
    return { status: render.status, headers: withLength(render.headers, render.body), chunks: [render.body], ending: 'end' };
  }
  const chunks = [...render.events, ...render.final];
  if (render.done !== undefined) chunks.push(render.done);
  return { status: 200, headers: render.headers, chunks, ending: 'end' };
}

/**
 * The plan of a fault step applied to the answer it interrupts.
 * @param step - the fault
 * @param render - the healthy answer it cuts
 * @param jsonErrorBody - the dialect's error body, for a mid-stream error on a non-streaming answer
 */
export function faultPlan(step: FaultStep, render: Render, jsonErrorBody: JsonErrorBody): WritePlan {
  const afterChunks = step.afterChunks ?? 0;
  if (render.type === 'json') {
    // A JSON body has no events: "some chunks" means its first half.
    const half = firstHalf(render.body);
    const head = afterChunks > 0 ? [half] : [];
    switch (step.kind) {
      case 'stall':
        return { status: render.status, headers: withLength(render.headers, render.body), chunks: head, ending: 'stall' };
      case 'reset-mid-stream':
        return { status: render.status, headers: withLength(render.headers, render.body), chunks: head, ending: 'destroy' };
      case 'malformed':
        return { status: render.status, headers: withLength(render.headers, half), chunks: [half], ending: 'end' };
      case 'mid-stream-error': {
        const body = jsonErrorBody(step);
        return { status: 200, headers: withLength(render.headers, body), chunks: [body], ending: 'end' };
      }
    }
  }
  const head = render.events.slice(0, afterChunks);
  switch (step.kind) {
    case 'stall':
      return { status: 200, headers: render.headers, chunks: head, ending: 'stall' };
    case 'reset-mid-stream':
      return { status: 200, headers: render.headers, chunks: head, ending: 'destroy' };
    case 'malformed': {
      const chunks = [...head, render.broken];
      if (render.done !== undefined) chunks.push(render.done);
      return { status: 200, headers: render.headers, chunks, ending: 'end' };
    }
    case 'mid-stream-error':
      return {
        status: 200,
        headers: render.headers,
        chunks: [...head, render.error(step, head.length)],
        ending: 'end',
      };
  }
}

/**
 * The plan of a `raw` step: its exact body, with a `content-length` for a single string.
 * @param step - the raw step
 */
export function rawPlan(step: MockRawStep): WritePlan {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers ?? {})) headers[name.toLowerCase()] = value;
  if (typeof step.body === 'string' || step.body instanceof Uint8Array) {
    const hasFraming = 'content-length' in headers || 'transfer-encoding' in headers;
    return { status: step.status, headers: hasFraming ? headers : withLength(headers, step.body), chunks: [step.body], ending: 'end' };
  }
  return { status: step.status, headers, chunks: [...step.body], ending: 'end' };
}
