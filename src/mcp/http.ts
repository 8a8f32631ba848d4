/**
 * MCP's Streamable HTTP transport through `sluice.fetch`: a POST carries JSON-RPC messages and is
 * answered with JSON or an SSE stream; a GET opens (or resumes, with `last-event-id`) the server's
 * stream; a DELETE ends the session. Headers (`mcp-session-id`, `mcp-protocol-version`,
 * `authorization`, `last-event-id`) go upstream as the client set them; bodies change only where the
 * policy changes a message.
 * @module
 */
import type { SecretRegistry } from '../core/secrets.js';
import type { JsonRpcMessage, McpServerEngine, PendingCall, RequestMeta } from './engine.js';
import { SseFramer, sseEventText, type SseEvent } from './sse.js';

/** What the HTTP carrier needs from the instance. */
export interface HttpCarrier {
  upstream: () => typeof globalThis.fetch;
  secrets: Promise<SecretRegistry>;
  /** The registry once loaded (saves a turn of the event loop per call). */
  registry: SecretRegistry | null;
}

const encoder = /*@__PURE__*/ new TextEncoder();
/** What an exchange's wait ends with when its calls timed out. */
const EXPIRED = Symbol('expired');

function isMessage(value: unknown): value is JsonRpcMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentTypeOf(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function answerHeaders(response: Response | null): Headers {
  const headers = new Headers(response?.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  headers.set('content-type', 'application/json');
  return headers;
}

function jsonAnswer(messages: readonly JsonRpcMessage[], response: Response | null): Response {
  const body = JSON.stringify(messages.length === 1 ? messages[0] : messages);
  return new Response(body, { status: 200, statusText: response?.statusText ?? 'OK', headers: answerHeaders(response) });
}

/** Reads a body as text, at most `maxBytes`; `null` when it is longer (the rest is cancelled). */
async function boundedText(response: Response, maxBytes: number): Promise<{ text: string; bytes: number } | { text: null; bytes: number }> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared >= 0 && declared <= maxBytes) {
    // A declared length within the limit: fetch itself refuses a body longer than it says.
    const text = await response.text();
    return { text, bytes: declared };
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), bytes };
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { text: null, bytes };
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** One HTTP exchange's requests, and how to hand a timeout's answer to the client. */
class Exchange {
  readonly calls: PendingCall[] = [];
  /** Answers decided by Sluice (refusals, timeouts) not yet delivered. */
  readonly replies: JsonRpcMessage[] = [];
  sse: TransformStreamDefaultController<Uint8Array> | null = null;
  /** Resolves when every call of the exchange has timed out before its JSON answer came. */
  expired: Promise<typeof EXPIRED> | null = null;
  #expire: (() => void) | null = null;
  #closed = false;

  /** Arms {@link expired} (only exchanges with a timeout pay for it). */
  arm(): void {
    this.expired = new Promise((resolve) => (this.#expire = () => resolve(EXPIRED)));
  }

  get open(): boolean {
    return this.calls.some((call) => !call.done);
  }

  /** A call timed out: its answer goes into the stream, or ends the wait for the JSON answer. */
  readonly onTimeout = (reply: JsonRpcMessage): void => {
    if (this.sse !== null) {
      if (this.#closed) return;
      this.sse.enqueue(encoder.encode(sseEventText(JSON.stringify(reply))));
      if (!this.open) {
        // Closing the stream cancels the upstream body.
        this.#closed = true;
        this.sse.terminate();
      }
      return;
    }
    this.replies.push(reply);
    if (!this.open) this.#expire?.();
  };
}

function readRequestHeaders(input: string | URL | Request, init: RequestInit | undefined): Headers {
  const given = init?.headers ?? (input instanceof Request ? input.headers : undefined);
  // Read only: the SDK's own Headers object is used as it is.
  return given instanceof Headers ? given : new Headers(given);
}

/**
 * Handles one call to a configured server's endpoint.
 * @param engine The server's engine.
 * @param carrier The instance's upstream fetch and secrets.
 * @param input As given to `sluice.fetch`.
 * @param init As given to `sluice.fetch`.
 * @param method The HTTP method, upper case.
 * @param url The URL.
 * @returns The answer for the client.
 */
export async function handleHttp(engine: McpServerEngine, carrier: HttpCarrier, input: string | URL | Request, init: RequestInit | undefined, method: string, url: string): Promise<Response> {
  const headers = readRequestHeaders(input, init);
  // Bearer tokens and keys the client sends are secrets: never in a record.
  (carrier.registry ?? (await carrier.secrets)).learnFromHeaders(headers);
  const fetchUpstream = carrier.upstream();
  const sessionId = headers.get('mcp-session-id');
  const scope = sessionId;
  if (method === 'GET') {
    const response = await fetchUpstream(input, init);
    if (!response.ok || response.body === null || contentTypeOf(response) !== 'text/event-stream') return response;
    return observeStream(engine, response, new Exchange(), scope);
  }
  if (method !== 'POST') return fetchUpstream(input, init);

  let text: string | null = typeof init?.body === 'string' ? init.body : null;
  let forwardInit: RequestInit | undefined = init;
  let forwardInput: string | URL | Request = input;
  if (text === null) {
    const body = init?.body ?? (input instanceof Request ? input.body : null);
    if (body === null || body === undefined) return fetchUpstream(input, init);
    text = await new Response(body).text();
    const { duplex: _duplex, ...rest } = (init ?? {}) as RequestInit & { duplex?: unknown };
    forwardInput = url;
    forwardInit = { ...rest, method, headers, body: text, signal: init?.signal ?? (input instanceof Request ? input.signal : null) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fetchUpstream(forwardInput, forwardInit);
  }
  const batch = Array.isArray(parsed);
  const messages: unknown[] = batch ? (parsed as unknown[]) : [parsed];
  if (!messages.every(isMessage)) return fetchUpstream(forwardInput, forwardInit);
  const exchange = new Exchange();
  const sends: JsonRpcMessage[] = [];
  let changed = false;
  for (const message of messages as JsonRpcMessage[]) {
    const meta: RequestMeta = {
      transport: 'http',
      scope,
      sessionId,
      session: headers.get('x-sluice-session'),
      user: headers.get('x-sluice-user'),
      tags: headers.get('x-sluice-tags')?.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '') ?? null,
      bytes: batch ? JSON.stringify(message).length : text.length,
      text: batch ? null : text,
      onTimeout: exchange.onTimeout,
    };
    const decision = await engine.outgoing(message, meta);
    if ('reply' in decision) {
      exchange.replies.push(decision.reply);
      changed = true;
      continue;
    }
    if (decision.call !== null) exchange.calls.push(decision.call);
    if (decision.send !== message) changed = true;
    sends.push(decision.send);
  }
  if (sends.length === 0) return jsonAnswer(exchange.replies.splice(0), null);
  if (changed) {
    const body = JSON.stringify(batch || sends.length > 1 ? sends : sends[0]);
    if (forwardInput instanceof Request) {
      forwardInit = { method, headers, body, signal: forwardInput.signal };
      forwardInput = url;
    } else {
      forwardInit = { ...forwardInit, body };
    }
  }
  if (exchange.calls.some((call) => call.timer !== null)) exchange.arm();
  let response: Response;
  try {
    const pending = fetchUpstream(forwardInput, forwardInit);
    const first = exchange.expired === null ? await pending : await Promise.race([pending, exchange.expired]);
    if (first === EXPIRED) {
      // Every call timed out before the answer's headers: the answer, if it comes, is released unread.
      void pending.then((late) => late.body?.cancel(), () => undefined);
      return jsonAnswer(exchange.replies.splice(0), null);
    }
    response = first;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const call of exchange.calls) engine.fail(call, 'network_error', message, null);
    throw error;
  }
  const answeredSession = response.headers.get('mcp-session-id');
  for (const call of exchange.calls) {
    call.status = response.status;
    if (call.meta.sessionId === null && answeredSession !== null) call.meta.sessionId = answeredSession;
  }
  if (!response.ok || response.body === null) {
    for (const call of exchange.calls) engine.fail(call, 'http_error', `HTTP ${response.status}`, null, 'failed');
    return exchange.replies.length > 0 && response.ok ? jsonAnswer(exchange.replies.splice(0), response) : response;
  }
  const type = contentTypeOf(response);
  if (type === 'text/event-stream') {
    for (const call of exchange.calls) call.streamed = true;
    return observeStream(engine, response, exchange, scope);
  }
  if (type !== 'application/json') {
    for (const call of exchange.calls) engine.fail(call, 'mcp_malformed', `unexpected content-type ${type || '(none)'}`, null);
    return response;
  }
  let body: Awaited<ReturnType<typeof boundedText>>;
  try {
    const reading = boundedText(response, engine.server.maxMessageBytes);
    const first = exchange.expired === null ? await reading : await Promise.race([reading, exchange.expired]);
    // Timed out while the body was coming: it is read to its end (bounded) and dropped.
    if (first === EXPIRED) {
      void reading.catch(() => undefined);
      return jsonAnswer(exchange.replies.splice(0), response);
    }
    body = first;
  } catch (error) {
    for (const call of exchange.calls) engine.fail(call, 'network_error', error instanceof Error ? error.message : String(error), null);
    throw error;
  }
  const replies = exchange.replies.splice(0);
  if (body.text === null) {
    for (const call of exchange.calls) if (!call.done) replies.push(engine.tooLarge(call, body.bytes));
    return jsonAnswer(replies, response);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(body.text);
  } catch {
    answer = undefined;
  }
  const answers: unknown[] = Array.isArray(answer) ? answer : [answer];
  if (answer === undefined || !answers.every(isMessage)) {
    for (const call of exchange.calls) if (!call.done) replies.push(engine.malformed(call));
    return jsonAnswer(replies, response);
  }
  let answerChanged = replies.length > 0;
  const out: JsonRpcMessage[] = [...replies];
  for (const message of answers as JsonRpcMessage[]) {
    const id = message.id;
    const local = id === undefined || id === null ? undefined : exchange.calls.find((call) => call.id === id);
    const delivered = Array.isArray(answer) ? engine.incoming(message, local, scope, JSON.stringify(message).length) : engine.incoming(message, local, scope, body.bytes, body.text);
    if (delivered !== message) answerChanged = true;
    if (delivered !== null) out.push(delivered);
  }
  for (const call of exchange.calls) if (!call.done) engine.fail(call, 'mcp_malformed', 'the answer did not carry a response to this request', null);
  if (!answerChanged) return new Response(body.text, { status: response.status, statusText: response.statusText, headers: response.headers });
  return jsonAnswer(out, response);
}

/**
 * Follows an SSE stream from the server (a POST's answer, or the GET stream): each event's message
 * goes through the engine; unchanged events pass as the same text.
 */
function observeStream(engine: McpServerEngine, response: Response, exchange: Exchange, scope: string | null): Response {
  const framer = new SseFramer(engine.server.maxMessageBytes);
  const decoder = new TextDecoder();
  let sawMalformed = false;
  const handle = (event: SseEvent, controller: TransformStreamDefaultController<Uint8Array>): void => {
    if (event.data === null || (event.event !== null && event.event !== 'message')) {
      controller.enqueue(encoder.encode(event.raw));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      message = undefined;
    }
    if (!isMessage(message)) {
      // Not JSON-RPC: dropped (its id kept, for resumption); an unanswered call then gets an error at the end.
      sawMalformed = true;
      if (event.id !== null) controller.enqueue(encoder.encode(`id: ${event.id}\n\n`));
      return;
    }
    const id = message.id;
    const local = id === undefined || id === null ? undefined : exchange.calls.find((call) => call.id === id);
    const delivered = engine.incoming(message, local, scope, encoder.encode(event.data).byteLength, event.data);
    if (delivered === message) controller.enqueue(encoder.encode(event.raw));
    else if (delivered !== null) controller.enqueue(encoder.encode(sseEventText(JSON.stringify(delivered), event)));
    else if (event.id !== null) controller.enqueue(encoder.encode(`id: ${event.id}\n\n`));
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      exchange.sse = controller;
      for (const reply of exchange.replies.splice(0)) controller.enqueue(encoder.encode(sseEventText(JSON.stringify(reply))));
    },
    transform(chunk, controller) {
      for (const item of framer.push(decoder.decode(chunk, { stream: true }))) {
        if (item.kind === 'event') handle(item.event, controller);
        else {
          // Too large to hold: the first unanswered call of this exchange gets the error (a POST carries one request).
          const call = exchange.calls.find((entry) => !entry.done);
          if (call !== undefined) controller.enqueue(encoder.encode(sseEventText(JSON.stringify(engine.tooLarge(call, item.bytes)))));
        }
      }
    },
    flush(controller) {
      const rest = framer.rest() + decoder.decode();
      if (rest.trim() !== '') controller.enqueue(encoder.encode(rest));
      if (sawMalformed) {
        for (const call of exchange.calls) if (!call.done) controller.enqueue(encoder.encode(sseEventText(JSON.stringify(engine.malformed(call)))));
      }
    },
  });
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(response.body!.pipeThrough(stream), { status: response.status, statusText: response.statusText, headers });
}
