/**
 * A scriptable HTTP server on 127.0.0.1 for tests that speaks every provider's real wire format, picked
 * by the request path: OpenAI (Chat Completions, Responses, embeddings, models), Azure OpenAI, Anthropic
 * Messages, Gemini, Vertex AI (Gemini and Anthropic models, plus an OAuth token endpoint), Bedrock
 * Converse and Ollama. The official SDKs, and Sluice in front of them, run with no network. Faults
 * (errors, 429s, hangs, resets, stalls, broken streams) are queued per call and played in the dialect
 * of whichever request consumes them.
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
import { validateDuration, validateScript, type MockDialect, type MockScript } from './mock/script.js';
import { DEFAULT_MODELS } from './mock/openai-routes.js';
import { authenticate, type AuthConfig, type AuthVerdict, type MockAwsCredentials } from './mock/auth.js';
import { classifyRoute, dialectHeaders, errorFor, jsonErrorBodyFor, precheck, rateLimitFor, renderFor } from './mock/dialects.js';
import { createVertexTokenIssuer, type MockVertexOptions } from './mock/vertex.js';
import { faultPlan, healthyPlan, rawPlan, type Action, type WritePlan } from './mock/plan.js';
import { isRecord, type JsonRender, type Route, type RouteInput } from './mock/render.js';

export type { MockAwsCredentials } from './mock/auth.js';
export type { MockVertexOptions } from './mock/vertex.js';
export type {
  MockDialect,
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
   * When set, every dialect expects this key in its own header, and a request without it (or with
   * another) gets that dialect's refusal and consumes no step: OpenAI `authorization: Bearer` (401
   * `invalid_api_key`), Azure `api-key` (401), Anthropic `x-api-key` or `authorization: Bearer` (401
   * `authentication_error`), Gemini `x-goog-api-key` or `?key=` (403 `PERMISSION_DENIED` when missing, 400
   * `API_KEY_INVALID` when wrong, as Google answers), Ollama `authorization: Bearer` (401), Vertex
   * `authorization: Bearer` (401 `UNAUTHENTICATED`) unless `vertex` is set. Bedrock uses `aws` and
   * `bedrockApiKey` instead.
   * @default undefined (keys are not checked)
   */
  apiKey?: string;
  /**
   * When set, Bedrock requests must carry a valid SigV4 signature by these credentials (scope region
   * `region`, service `bedrock`, `x-amz-date` within five minutes); the mock recomputes it over the
   * method, path, query, signed headers and the body it received, and answers a missing or wrong one
   * with Bedrock's 403 (`MissingAuthenticationTokenException`, `UnrecognizedClientException`,
   * `InvalidSignatureException`).
   * @default undefined (Bedrock signatures are not checked)
   */
  aws?: MockAwsCredentials;
  /**
   * When set, Bedrock also accepts `authorization: Bearer <bedrockApiKey>` (Bedrock API keys); with
   * `aws` unset, only that.
   * @default undefined
   */
  bedrockApiKey?: string;
  /**
   * When set, `POST /token` exchanges a service account's RS256 JWT (signed by the private half of
   * `publicKeyPem`) for an access token, and the Vertex routes accept only tokens issued so and not
   * expired (401 `UNAUTHENTICATED` otherwise). Point the service account's `token_uri` at `url + '/token'`.
   * @default undefined (Vertex accepts any bearer token, or `apiKey`'s when set)
   */
  vertex?: MockVertexOptions;
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
  /**
   * The request id the mock answered with (`req_<n>`), in the dialect's header: `x-request-id`
   * (OpenAI, Azure), `request-id` (Anthropic), `x-amzn-requestid` (Bedrock); Gemini, Vertex and Ollama
   * send none.
   */
  readonly requestId: string;
  /** The dialect its path speaks (`openai` for anything unknown). */
  readonly dialect: MockDialect;
  /** The HTTP method, upper-case. */
  readonly method: string;
  /** The path without query, as sent, e.g. `/v1/chat/completions`. */
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
  /**
   * The server's origin, `http://127.0.0.1:PORT`: the base URL of the Anthropic and Gemini SDKs, the
   * Azure endpoint, Vertex, Bedrock and Ollama.
   */
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

function matches(step: MockScript, request: MockRequest, route: Route): boolean {
  const match = step.match;
  const isPathMatch = match?.path === undefined ? route.isModelCall : match.path === request.path;
  if (!isPathMatch) return false;
  if (match?.dialect !== undefined && match.dialect !== route.dialect) return false;
  if (match?.model === undefined) return true;
  const model = route.pathModel ?? (isRecord(request.body) ? request.body['model'] : undefined);
  return model === match.model;
}

/** What an action needs besides the step and the request. */
interface ActionContext {
  readonly models: readonly string[];
  readonly requestId: string;
  readonly nowMs: number;
}

function write(render: JsonRender): Action {
  return { type: 'write', plan: healthyPlan(render) };
}

function actionFor(step: MockScript | undefined, input: RouteInput, context: ActionContext): Action {
  if (step === undefined) return { type: 'write', plan: healthyPlan(renderFor(input, undefined, context.models)) };
  switch (step.kind) {
    case 'reply':
      return { type: 'write', plan: healthyPlan(renderFor(input, step, context.models)) };
    case 'error':
      return write(errorFor(input.route, step, context.requestId));
    case 'rate-limit':
      return write(rateLimitFor(input, step, context.requestId, context.nowMs));
    case 'hang':
      return { type: 'hang' };
    case 'reset':
      return { type: 'reset' };
    case 'stall':
    case 'reset-mid-stream':
    case 'malformed':
    case 'mid-stream-error':
      return { type: 'write', plan: faultPlan(step, renderFor(input, undefined, context.models), jsonErrorBodyFor(input.route)) };
    case 'raw':
      return { type: 'write', plan: rawPlan(step) };
    default: {
      const unreachable: never = step;
      throw new TypeError(`unknown mock step ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Starts a mock provider on 127.0.0.1 (a free port by default) and resolves once it listens; it answers
 * each request in the dialect its path speaks.
 * @param options - credentials, default timing, fallback behaviour, models
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
 *
 * // The same queue serves every dialect: this 529 reaches the Anthropic SDK as an overloaded_error.
 * const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
 * mock.script({ kind: 'error', status: 529 });
 * await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
 *   .catch((error: unknown) => error); // APIError with status 529
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
  const aws = options.aws;
  if (aws !== undefined) {
    for (const key of ['accessKeyId', 'secretAccessKey', 'region'] as const) {
      if (typeof aws[key] !== 'string' || aws[key].length === 0) throw new TypeError(`aws.${key} must be a non-empty string`);
    }
  }
  const nowMs = (): number => Date.now();
  const vertexTokens = options.vertex === undefined ? undefined : createVertexTokenIssuer(options.vertex, nowMs);
  const authConfig: AuthConfig = { apiKey: options.apiKey, bedrockApiKey: options.bedrockApiKey, aws, vertexTokens, nowMs };
  // Assigned once the server listens; the token endpoint accepts JWTs addressed to it.
  let tokenUrl = '';

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

  const takeStep = (entry: MockRequest, route: Route): MockScript | undefined => {
    const index = queue.findIndex((step) => matches(step, entry, route));
    if (index >= 0) return queue.splice(index, 1)[0];
    return options.fallback !== undefined && matches(options.fallback, entry, route) ? options.fallback : undefined;
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

  /** Picks what to do once credentials are checked: a refusal, the token endpoint, or the step. */
  const decide = (entry: RecordedRequest, input: RouteInput, verdict: AuthVerdict): { step: MockScript | undefined; action: Action } => {
    if (verdict !== undefined) return { step: undefined, action: write(verdict) };
    const refusal = precheck(input, entry.headers, entry.requestId);
    if (refusal !== undefined) return { step: undefined, action: write(refusal) };
    const step = takeStep(entry, input.route);
    entry.step = step;
    if (step === undefined && input.route.operation === 'token' && vertexTokens !== undefined) {
      return { step, action: write(vertexTokens.exchange(entry.bodyText, tokenUrl)) };
    }
    return { step, action: actionFor(step, input, { models, requestId: entry.requestId, nowMs: nowMs() }) };
  };

  const start = (exchange: Exchange, entry: RecordedRequest, input: RouteInput, step: MockScript | undefined, chosen: Action): void => {
    let action = chosen;
    if (action.type === 'write') {
      const isHealthyModelCall = input.route.isModelCall && action.plan.status < 400 && step?.kind !== 'raw';
      const headers = {
        ...dialectHeaders(input.route, {
          requestId: entry.requestId,
          latencyMs: step?.latencyMs ?? defaultLatencyMs,
          isHealthyModelCall,
          nowMs: nowMs(),
        }),
        ...lowerCaseKeys(action.plan.headers),
        ...lowerCaseKeys(step?.headers),
      };
      action = { type: 'write', plan: { ...action.plan, headers } };
    }
    // Steps are checked when scripted, so a throw here is a mock bug: fail the exchange, not the process.
    play(action, step, exchange).catch(() => exchange.destroy());
  };

  const respond = (exchange: Exchange, entry: RecordedRequest, input: RouteInput): void => {
    if (input.bodyBytes > maxBodyBytes) {
      const message = `Request body of ${input.bodyBytes} bytes exceeds the mock's limit of ${maxBodyBytes} bytes.`;
      const render = errorFor(input.route, { status: 413, message, code: 'request_too_large' }, entry.requestId);
      start(exchange, entry, input, undefined, write(render));
      return;
    }
    const verdict = authenticate(input.route, entry, authConfig);
    if (verdict instanceof Promise) {
      // Only a Bedrock signature check waits (WebCrypto); everything else is decided synchronously.
      verdict
        .then((settled) => {
          if (exchange.signal.aborted) return;
          const { step, action } = decide(entry, input, settled);
          start(exchange, entry, input, step, action);
        })
        .catch(() => exchange.destroy());
      return;
    }
    const { step, action } = decide(entry, input, verdict);
    start(exchange, entry, input, step, action);
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
      const method = request.method ?? 'GET';
      const path = queryStart === -1 ? target : target.slice(0, queryStart);
      const route = classifyRoute(method, path, vertexTokens !== undefined);
      entry = {
        requestId,
        dialect: route.dialect,
        method,
        path,
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
        method,
        path,
        query: entry.query,
        body: entry.body,
        requestNumber,
        contentType: headers['content-type'],
        bodyBytes: receivedBytes,
        route,
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
    // A deep accept queue: load tests open thousands of connections at once (Node's default is 511).
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', noop);
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  tokenUrl = `${url}/token`;

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
