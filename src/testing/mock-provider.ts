/**
 * A scriptable OpenAI-compatible HTTP server on 127.0.0.1 for tests: it speaks the real wire format
 * (Chat Completions, Responses, embeddings, models), so the official SDK, and Sluice in front of it,
 * run with no network. Faults (errors, 429s, hangs, resets, stalls, broken streams) are queued per call.
 *
 * @module
 */

import {
  createServer,
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { validateDuration, validateScript, type MockScript } from './mock/script.js';
import { renderRoute, isModelCall, DEFAULT_MODELS } from './mock/openai-routes.js';
import {
  HEALTHY_RATE_LIMIT_HEADERS,
  errorFields,
  errorRender,
  invalidKeyRender,
  rateLimitRender,
} from './mock/openai-common.js';
import { faultPlan, healthyPlan, rawPlan, type Action, type WritePlan } from './mock/plan.js';
import { isRecord, requestedModel, type RouteInput } from './mock/render.js';

export type {
  MockErrorStep,
  MockFinishReason,
  MockHangStep,
  MockMalformedStep,
  MockMatch,
  MockMidStreamErrorStep,
  MockRateLimitStep,
  MockRawStep,
  MockReplyStep,
  MockResetMidStreamStep,
  MockResetStep,
  MockScript,
  MockScriptKind,
  MockStallStep,
  MockStepBase,
  MockToolCall,
  MockUsage,
} from './mock/script.js';

/** Options of {@link createMockProvider}: defaults for every request the queue does not script. */
export interface MockProviderOptions {
  /**
   * When set, requests without `authorization: Bearer <apiKey>` get OpenAI's 401 `invalid_api_key` body
   * (and consume no step).
   * @default undefined (auth is not checked)
   */
  apiKey?: string;
  /**
   * The behaviour of a request that no queued step matches; it is never consumed, and applies only to
   * requests it matches (model calls unless its `match.path` says otherwise).
   * @default undefined (a healthy, deterministic OpenAI answer)
   */
  fallback?: MockScript;
  /**
   * Milliseconds before the headers of every answer whose step does not set `latencyMs`.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Milliseconds between body chunks of every answer whose step does not set `chunkDelayMs`.
   * @default 0
   */
  chunkDelayMs?: number;
  /**
   * Model ids served by `GET /v1/models` and `GET /v1/models/:id`.
   * @default ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'text-embedding-3-small', 'text-embedding-3-large']
   */
  models?: readonly string[];
  /**
   * The largest request body kept; a bigger one is answered with a 413 (consuming no step) and recorded truncated.
   * @default 33554432 (32 MiB)
   */
  maxBodyBytes?: number;
  /**
   * The interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
}

/** One request the mock received, recorded once its body has been read. */
export interface MockRequest {
  /** The `x-request-id` the mock answered with (`req_<n>`). */
  readonly requestId: string;
  /** The HTTP method, upper-case. */
  readonly method: string;
  /** The path without query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** The query string without the leading `?`, or `''`. */
  readonly query: string;
  /** Request headers with lower-case names; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body decoded as UTF-8. */
  readonly bodyText: string;
  /** The raw body bytes (for binary uploads). */
  readonly bodyBytes: Uint8Array;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  readonly body: unknown;
  /** The step that answered it, or undefined for the default behaviour. */
  readonly step: MockScript | undefined;
  /** True if the client closed the connection before the response finished. */
  readonly aborted: boolean;
  /** Resolves when the response has finished or the connection closed, for whatever reason. */
  readonly done: Promise<void>;
}

/** A running mock provider; close it in `afterEach`. */
export interface MockProvider {
  /** The server's origin, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `url + '/v1'`: what to pass to `new OpenAI({ baseURL })`. */
  readonly baseURL: string;
  /** Every request received, in order; cleared by {@link MockProvider.reset}. */
  readonly requests: readonly MockRequest[];
  /**
   * Queues behaviours, each consumed (FIFO) by the first later request it matches.
   * @param steps - the behaviours, validated now
   */
  script(...steps: MockScript[]): void;
  /** The number of queued steps not yet consumed. */
  pendingSteps(): number;
  /**
   * Resolves with `requests[index]` once it has been recorded; rejects if the mock closes first.
   * @param index - the request's position
   * @default the next request to arrive
   */
  waitForRequest(index?: number): Promise<MockRequest>;
  /** Clears the queue, the recorded requests and the id counter. */
  reset(): void;
  /** The number of sockets currently open, kept-alive ones included. */
  openConnections(): number;
  /** Stops listening, destroys every socket, cancels every timer; safe to call twice. */
  close(): Promise<void>;
}

type RecordedRequest = { -readonly [Key in keyof MockRequest]: MockRequest[Key] };

interface Waiter {
  readonly index: number;
  readonly resolve: (request: MockRequest) => void;
  readonly reject: (error: Error) => void;
}

interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly signal: AbortSignal;
  /** Destroys the socket as a deliberate fault (not a client abort). */
  readonly destroy: () => void;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

function noop(): void {}

/** Waits `milliseconds` on `setTimeout` (so fake timers drive it); false if the exchange ended first. */
function delay(milliseconds: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (milliseconds <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves once everything written so far has left the socket, so a following destroy loses nothing. */
function flushed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.write('', () => resolve());
  });
}

/** Validates a step, its headers included, so a bad script throws where it is written. */
function checkStep(step: MockScript, label: string): void {
  validateScript(step, label);
  for (const [name, value] of Object.entries(step.headers ?? {})) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new TypeError(`${label} (${step.kind}): header ${JSON.stringify(name)}: ${(error as Error).message}`);
    }
  }
}

function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers !== undefined) for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function matches(step: MockScript, request: MockRequest): boolean {
  const match = step.match;
  const isPathMatch = match?.path === undefined ? isModelCall(request.method, request.path) : match.path === request.path;
  if (!isPathMatch) return false;
  return match?.model === undefined || (isRecord(request.body) && request.body['model'] === match.model);
}

function actionFor(step: MockScript | undefined, input: RouteInput, models: readonly string[]): Action {
  if (step === undefined) return { type: 'write', plan: healthyPlan(renderRoute(input, undefined, models)) };
  switch (step.kind) {
    case 'reply':
      return { type: 'write', plan: healthyPlan(renderRoute(input, step, models)) };
    case 'error':
      return { type: 'write', plan: healthyPlan(errorRender(step.status, errorFields(step.status, step))) };
    case 'rate-limit':
      return {
        type: 'write',
        plan: healthyPlan(rateLimitRender(step.retryAfterS, step.retryAfterMs, requestedModel(input.body, 'gpt-4o-mini'))),
      };
    case 'hang':
      return { type: 'hang' };
    case 'reset':
      return { type: 'reset' };
    case 'stall':
    case 'reset-mid-stream':
    case 'malformed':
    case 'mid-stream-error':
      return { type: 'write', plan: faultPlan(step, renderRoute(input, undefined, models)) };
    case 'raw':
      return { type: 'write', plan: rawPlan(step) };
    default: {
      const unreachable: never = step;
      throw new TypeError(`unknown mock step ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Starts a mock OpenAI provider on 127.0.0.1 (a free port by default) and resolves once it listens.
 * @param options - auth, default timing, fallback behaviour, models
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { createMockProvider } from 'sluice/testing';
 *
 * const mock = await createMockProvider();
 * const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'test', maxRetries: 0 });
 * mock.script({ kind: 'rate-limit', retryAfterS: 2 }, { kind: 'reply', content: 'Hello!' });
 * await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
 *   .catch((error: unknown) => error); // RateLimitError
 * const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
 * completion.choices[0]?.message.content; // 'Hello!'
 * mock.requests.length; // 2
 * await mock.close();
 * ```
 */
export async function createMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  validateDuration(options.latencyMs, 'latencyMs');
  validateDuration(options.chunkDelayMs, 'chunkDelayMs');
  if (options.fallback !== undefined) checkStep(options.fallback, 'fallback');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be an integer from 0 to 65535, got ${port}`);
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new TypeError(`maxBodyBytes must be an integer >= 0, got ${maxBodyBytes}`);
  }
  const models = [...(options.models ?? DEFAULT_MODELS)];
  const defaultLatencyMs = options.latencyMs ?? 0;
  const defaultChunkDelayMs = options.chunkDelayMs ?? 0;
  const expectedAuthorization = options.apiKey === undefined ? undefined : `Bearer ${options.apiKey}`;

  const queue: MockScript[] = [];
  const requests: MockRequest[] = [];
  const waiters: Waiter[] = [];
  const sockets = new Map<Socket, Promise<void>>();
  const liveExchanges = new Set<AbortController>();
  let requestCount = 0;
  let isClosing = false;
  let closing: Promise<void> | undefined;

  const record = (entry: MockRequest): void => {
    requests.push(entry);
    for (let index = waiters.length - 1; index >= 0; index -= 1) {
      const waiter = waiters[index];
      const found = waiter === undefined ? undefined : requests[waiter.index];
      if (waiter !== undefined && found !== undefined) {
        waiters.splice(index, 1);
        waiter.resolve(found);
      }
    }
  };

  const takeStep = (entry: MockRequest): MockScript | undefined => {
    const index = queue.findIndex((step) => matches(step, entry));
    if (index >= 0) return queue.splice(index, 1)[0];
    return options.fallback !== undefined && matches(options.fallback, entry) ? options.fallback : undefined;
  };

  const play = async (action: Action, step: MockScript | undefined, exchange: Exchange): Promise<void> => {
    const { response, signal } = exchange;
    if (!(await delay(step?.latencyMs ?? defaultLatencyMs, signal))) return;
    if (action.type === 'hang') return;
    if (action.type === 'reset') {
      exchange.destroy();
      return;
    }
    const plan: WritePlan = action.plan;
    response.writeHead(plan.status, plan.headers);
    if (plan.ending !== 'end' || plan.chunks.length !== 1) response.flushHeaders();
    const chunkDelayMs = step?.chunkDelayMs ?? defaultChunkDelayMs;
    for (const [index, chunk] of plan.chunks.entries()) {
      if (index > 0 && !(await delay(chunkDelayMs, signal))) return;
      if (signal.aborted) return;
      response.write(chunk);
    }
    if (plan.ending === 'end') response.end();
    else if (plan.ending === 'destroy') {
      await flushed(exchange.request.socket);
      if (!signal.aborted) exchange.destroy();
    }
  };

  const respond = (exchange: Exchange, entry: RecordedRequest, input: RouteInput): void => {
    const authorization = entry.headers['authorization'];
    let step: MockScript | undefined;
    let action: Action;
    if (input.bodyBytes > maxBodyBytes) {
      const message = `Request body of ${input.bodyBytes} bytes exceeds the mock's limit of ${maxBodyBytes} bytes.`;
      action = { type: 'write', plan: healthyPlan(errorRender(413, errorFields(413, { message, code: 'request_too_large' }))) };
    } else if (expectedAuthorization !== undefined && authorization !== expectedAuthorization) {
      const presented = authorization === undefined ? undefined : authorization.replace(/^Bearer\s+/i, '');
      action = { type: 'write', plan: healthyPlan(invalidKeyRender(presented)) };
    } else {
      step = takeStep(entry);
      entry.step = step;
      action = actionFor(step, input, models);
    }
    if (action.type === 'write') {
      const isHealthyModelCall = isModelCall(entry.method, entry.path) && action.plan.status < 400 && step?.kind !== 'raw';
      const headers = {
        'x-request-id': entry.requestId,
        'openai-processing-ms': String(step?.latencyMs ?? defaultLatencyMs),
        'openai-version': '2020-10-01',
        ...(isHealthyModelCall ? HEALTHY_RATE_LIMIT_HEADERS : {}),
        ...lowerCaseKeys(action.plan.headers),
        ...lowerCaseKeys(step?.headers),
      };
      action = { type: 'write', plan: { ...action.plan, headers } };
    }
    // Steps are checked when scripted, so a throw here is a mock bug: fail the exchange, not the process.
    play(action, step, exchange).catch(() => exchange.destroy());
  };

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    requestCount += 1;
    const requestNumber = requestCount;
    const requestId = `req_${requestNumber}`;
    const lifecycle = new AbortController();
    liveExchanges.add(lifecycle);
    let entry: RecordedRequest | undefined;
    let isDestroyedByMock = false;
    let resolveDone = noop;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const exchange: Exchange = {
      request,
      response,
      signal: lifecycle.signal,
      destroy: () => {
        isDestroyedByMock = true;
        request.socket.destroy();
      },
    };
    request.on('error', noop);
    response.on('error', noop);
    response.once('close', () => {
      liveExchanges.delete(lifecycle);
      lifecycle.abort();
      if (entry !== undefined && !response.writableFinished && !isDestroyedByMock && !isClosing) entry.aborted = true;
      resolveDone();
    });

    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    request.on('data', (chunk: Buffer) => {
      // Keep at most maxBodyBytes; the rest is read and dropped so the client can finish sending.
      const room = Math.max(0, maxBodyBytes - receivedBytes);
      if (room > 0) chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      receivedBytes += chunk.length;
    });
    request.on('end', () => {
      if (lifecycle.signal.aborted) return;
      const bytes = Buffer.concat(chunks);
      const bodyText = bytes.toString('utf8');
      const target = request.url ?? '/';
      const queryStart = target.indexOf('?');
      const headers = flattenHeaders(request);
      entry = {
        requestId,
        method: request.method ?? 'GET',
        path: queryStart === -1 ? target : target.slice(0, queryStart),
        query: queryStart === -1 ? '' : target.slice(queryStart + 1),
        headers,
        bodyText,
        bodyBytes: new Uint8Array(bytes),
        body: parseJson(bodyText),
        step: undefined,
        aborted: false,
        done,
      };
      record(entry);
      respond(exchange, entry, {
        method: entry.method,
        path: entry.path,
        body: entry.body,
        requestNumber,
        contentType: headers['content-type'],
        bodyBytes: receivedBytes,
      });
    });
  };

  const server: Server = createServer(handleRequest);
  server.on('connection', (socket: Socket) => {
    socket.on('error', noop);
    sockets.set(
      socket,
      new Promise<void>((resolve) => {
        socket.once('close', () => {
          sockets.delete(socket);
          resolve();
        });
      }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', noop);
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;

  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    script(...steps: MockScript[]): void {
      steps.forEach((step, index) => checkStep(step, `script step ${index + 1}`));
      queue.push(...steps);
    },
    pendingSteps: () => queue.length,
    waitForRequest(index: number = requests.length): Promise<MockRequest> {
      const existing = requests[index];
      if (existing !== undefined) return Promise.resolve(existing);
      if (isClosing) return Promise.reject(new Error('mock provider is closed'));
      return new Promise((resolve, reject) => waiters.push({ index, resolve, reject }));
    },
    reset(): void {
      queue.length = 0;
      requests.length = 0;
      requestCount = 0;
    },
    openConnections: () => sockets.size,
    close(): Promise<void> {
      if (closing === undefined) {
        isClosing = true;
        for (const lifecycle of liveExchanges) lifecycle.abort();
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        const socketsClosed = [...sockets.values()];
        for (const socket of sockets.keys()) socket.destroy();
        for (const waiter of waiters.splice(0)) waiter.reject(new Error('mock provider is closed'));
        closing = Promise.all([serverClosed, ...socketsClosed]).then(noop);
      }
      return closing;
    },
  };
}
