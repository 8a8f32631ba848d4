/**
 * The Node transport: a `fetch` for Sluice's upstream calls built on undici's dispatcher `request()`
 * API (Node's own bundled undici: no dependency), skipping the WHATWG fetch machinery that costs most
 * of an SDK call's CPU on Node. It keeps what the SDKs rely on from fetch: redirects (with credentials
 * dropped on a hop to another origin), decompression, every body kind, aborts at any phase, proxies
 * from the environment, and fetch's errors (`TypeError: fetch failed` with the cause).
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { extractBody, type WireBody } from './body.js';
import { proxyFor, proxyFromEnv, tunnelConnector, type ProxySettings } from './proxy.js';
import { codingsOf, responseBody } from './response-body.js';

/** Where undici keeps the global dispatcher (what `setGlobalDispatcher` sets); Node's own fetch creates it. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
/** The hooks by which the core closes a transport with its instance and applies `timeouts.connectMs`. */
export const TRANSPORT = Symbol.for('sluice.transport');

/** What undici's `request()` resolves with (undici 6 and 7 alike). */
export interface DispatcherResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** The options of undici's `request()` this transport sends. */
export interface DispatcherRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: WireBody;
  signal?: AbortSignal;
  headersTimeout?: number;
  bodyTimeout?: number;
}

/**
 * An undici dispatcher (`Agent`, `Pool`, `ProxyAgent`, `EnvHttpProxyAgent`, `MockAgent`... from the
 * `undici` package or Node's bundled copy): anything with undici's `request()`.
 */
export interface TransportDispatcher {
  /** undici's request API. */
  request(options: DispatcherRequest): Promise<DispatcherResponse>;
  /** Closes its connections once idle. */
  close?(): Promise<void> | void;
}

/** Time limits applied by the transport itself, on every call (Sluice's own `timeouts` apply on top). */
export interface NodeTransportTimeouts {
  /** Establishing a connection (TCP, TLS, a proxy tunnel). @default 10000 */
  connectMs?: number;
  /** From sending the request to the response headers. @default 300000 (undici's) */
  firstByteMs?: number;
  /** Between two reads of the response body. @default 300000 (undici's) */
  idleMs?: number;
  /** From the call to the end of the response headers and body, redirects included. @default none */
  totalMs?: number;
}

/** Options of {@link nodeTransport}. */
export interface NodeTransportOptions {
  /** Connections kept per origin at most (calls beyond wait their turn). @default 128 */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection stays open (a server's shorter `keep-alive: timeout` wins). @default 4000 */
  keepAliveMs?: number;
  /** Time limits. */
  timeouts?: NodeTransportTimeouts;
  /** TLS options for the providers' origins: `ca`, `cert`, `key`, `rejectUnauthorized`, `minVersion`... */
  tls?: ConnectionOptions;
  /**
   * `'env'` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (or their lower-case spellings) once, when the
   * transport is made; a URL sends every call through that proxy; `false` never uses one. @default 'env'
   */
  proxy?: 'env' | string | false;
  /** Redirects followed before the call fails, as fetch's limit. @default 20 */
  maxRedirects?: number;
  /**
   * An undici dispatcher of your own (a `ProxyAgent`, a `MockAgent`, an `Agent` with your options): every
   * call goes through it, and it keeps its own pooling, proxy and TLS. Not closed by the transport.
   */
  dispatcher?: TransportDispatcher;
}

/** What the core reads through {@link TRANSPORT}. @internal */
export interface TransportHooks {
  /** Closes the transport's pools. */
  close(): Promise<void>;
  /** The same transport with its connect limit set to `ms` (for `timeouts.connectMs`), made once per value. */
  withConnectTimeout(ms: number): typeof fetch;
}

/** A `fetch` over undici's dispatcher; `close()` ends its pools (`sluice.close()` calls it). */
export type NodeTransport = typeof fetch & {
  /** Closes every connection the transport opened; calls made afterwards fail as fetch's do. */
  close(): Promise<void>;
  readonly [TRANSPORT]: TransportHooks;
};

type AgentClass = new (options: Record<string, unknown>) => TransportDispatcher & { close(): Promise<void> };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Credentials dropped when a redirect leaves the origin: fetch drops only `authorization`; the SDKs send the others. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'proxy-authorization', 'cookie'];
/** Headers describing a body, dropped when a redirect turns the request into a GET (fetch spec, step 12). */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
/** What fetch sends when the caller sets no `accept-encoding`. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** Finds the class of Node's own global dispatcher: undici's `Agent`, without the `undici` package. */
async function bundledAgent(): Promise<AgentClass | TransportDispatcher> {
  const registry = globalThis as unknown as Record<symbol, unknown>;
  // Node creates its undici lazily, on the first fetch: a `data:` URL creates it without any I/O.
  if (registry[GLOBAL_DISPATCHER] === undefined) await globalThis.fetch('data:,').then((response) => response.body?.cancel(), () => undefined);
  const dispatcher = registry[GLOBAL_DISPATCHER] as (TransportDispatcher & { constructor?: unknown }) | undefined;
  const candidate = dispatcher?.constructor;
  if (typeof candidate === 'function' && candidate.name === 'Agent') return candidate as AgentClass;
  // The application installed its own global dispatcher (a proxy, a mock): calls go through it.
  if (dispatcher !== undefined && typeof dispatcher.request === 'function') return dispatcher;
  throw new Error('sluice/node: Node has no undici global dispatcher here; pass nodeTransport({ dispatcher }) with an undici Agent');
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

/** Pools by origin kind: direct, or through one proxy; made on first use with one connect limit. */
class Pools {
  readonly #options: NodeTransportOptions;
  readonly #connectMs: number;
  readonly #proxies: ProxySettings | null;
  readonly #agents = new Map<string, TransportDispatcher & { close(): Promise<void> }>();
  #shared: TransportDispatcher | null = null;
  #isClosed = false;

  constructor(options: NodeTransportOptions, connectMs: number, proxies: ProxySettings | null) {
    this.#options = options;
    this.#connectMs = connectMs;
    this.#proxies = proxies;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The dispatcher for one origin. */
  pick(Agent: AgentClass | TransportDispatcher, url: URL): TransportDispatcher {
    if (typeof Agent !== 'function') return (this.#shared ??= Agent);
    const proxy = this.#proxies === null ? null : proxyFor(this.#proxies, url);
    const key = proxy === null ? '' : proxy.href;
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      const tls = this.#options.tls ?? {};
      agent = new Agent({
        connections: this.#options.connectionsPerOrigin ?? 128,
        keepAliveTimeout: this.#options.keepAliveMs ?? 4_000,
        ...(this.#options.timeouts?.firstByteMs === undefined ? {} : { headersTimeout: this.#options.timeouts.firstByteMs }),
        ...(this.#options.timeouts?.idleMs === undefined ? {} : { bodyTimeout: this.#options.timeouts.idleMs }),
        connect: proxy === null ? { ...tls, timeout: this.#connectMs } : tunnelConnector(proxy, tls, this.#connectMs),
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => Promise.resolve(agent.close()).catch(() => undefined)));
  }
}

/** The parts of a call that survive redirects. */
interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  body: WireBody;
  isReplayable: boolean;
}

/** Connection-level headers undici sets itself (or rejects); `content-length` it computes from the body. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'content-length', 'host', 'proxy-connection']);

function headersOf(outgoing: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of outgoing) if (!CONNECTION_HEADERS.has(name)) record[name] = value;
  return record;
}

function responseHeaders(source: DispatcherResponse['headers']): Headers {
  const headers = new Headers();
  for (const name in source) {
    const value = source[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * Makes the Node transport: pass it as Sluice's upstream `fetch`.
 * @param options Pool size, time limits, TLS, proxy, or a dispatcher of your own.
 * @returns A `fetch` that Sluice (or anything else) can call; `sluice.close()` closes its pools.
 * @example
 * ```ts
 * import { createSluice } from 'sluice';
 * import { nodeTransport } from 'sluice/node';
 *
 * const sluice = createSluice({ fetch: nodeTransport({ connectionsPerOrigin: 64, timeouts: { connectMs: 5_000 } }) });
 * const openai = new OpenAI({ fetch: sluice.fetch });
 * ```
 */
export function nodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  const proxyOption = options.proxy ?? 'env';
  const proxies: ProxySettings | null =
    options.dispatcher !== undefined || proxyOption === false
      ? null
      : proxyOption === 'env'
        ? proxyFromEnv(process.env)
        : { http: new URL(proxyOption), https: new URL(proxyOption), noProxy: [] };
  const maxRedirects = options.maxRedirects ?? 20;
  const firstByteMs = options.timeouts?.firstByteMs;
  const idleMs = options.timeouts?.idleMs;
  const totalMs = options.timeouts?.totalMs;
  let agentClass: AgentClass | TransportDispatcher | null = options.dispatcher ?? null;
  let agentReady: Promise<AgentClass | TransportDispatcher> | null = null;
  const byConnectMs = new Map<number, { pools: Pools; fetch: typeof fetch }>();

  const make = (connectMs: number): { pools: Pools; fetch: typeof fetch } => {
    const pools = new Pools(options, connectMs, proxies);

    const send = async (outgoing: Outgoing, signal: AbortSignal | null): Promise<DispatcherResponse> => {
      if (pools.isClosed) throw fetchFailed(new Error('sluice/node: the transport was closed'));
      const Agent = agentClass ?? (agentClass = await (agentReady ??= bundledAgent()));
      const request: DispatcherRequest = {
        origin: outgoing.url.origin,
        path: outgoing.url.pathname + outgoing.url.search,
        method: outgoing.method,
        headers: headersOf(outgoing.headers),
        body: outgoing.body,
      };
      if (signal !== null) request.signal = signal;
      // A dispatcher of the user's keeps its own limits; ours carry them in their options.
      if (typeof Agent !== 'function') {
        if (firstByteMs !== undefined) request.headersTimeout = firstByteMs;
        if (idleMs !== undefined) request.bodyTimeout = idleMs;
      }
      try {
        return await pools.pick(Agent, outgoing.url).request(request);
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        throw fetchFailed(error);
      }
    };

    const transportFetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
      const request = input instanceof Request ? input : null;
      const href = typeof input === 'string' ? input : request !== null ? request.url : (input as URL).href;
      if (!/^https?:/i.test(href)) return globalThis.fetch(input, init);
      const perCall = (init as { dispatcher?: TransportDispatcher }).dispatcher;
      if (perCall !== undefined && perCall !== agentClass) {
        // A dispatcher passed with the call, as Node's fetch takes one: this call goes through it.
        return nodeTransportWith(perCall)(input, init);
      }
      let url: URL;
      try {
        url = new URL(href);
      } catch (error) {
        throw new TypeError(`Failed to parse URL from ${href}`, { cause: error });
      }
      const outerSignal = init.signal ?? request?.signal ?? null;
      const signal = totalMs === undefined ? outerSignal : outerSignal === null ? AbortSignal.timeout(totalMs) : AbortSignal.any([outerSignal, AbortSignal.timeout(totalMs)]);
      if (signal?.aborted === true) throw signal.reason;
      const headers = new Headers(init.headers ?? request?.headers);
      const extracted = await extractBody(init.body !== undefined ? init.body : (request?.body ?? null));
      if (extracted.contentType !== null && !headers.has('content-type')) headers.set('content-type', extracted.contentType);
      if (!headers.has('accept-encoding')) headers.set('accept-encoding', ACCEPT_ENCODING);
      const redirectMode = init.redirect ?? request?.redirect ?? 'follow';
      const outgoing: Outgoing = {
        url,
        method: (init.method ?? request?.method ?? 'GET').toUpperCase(),
        headers,
        body: extracted.body,
        isReplayable: extracted.isReplayable,
      };
      let redirected = false;
      for (let hop = 0; ; hop++) {
        const answer = await send(outgoing, signal);
        const status = answer.statusCode;
        const location = REDIRECT_STATUSES.has(status) && redirectMode !== 'manual' ? answer.headers['location'] : undefined;
        if (typeof location === 'string') {
          discard(answer.body);
          if (redirectMode === 'error') throw fetchFailed(new Error('unexpected redirect'));
          if (hop >= maxRedirects) throw fetchFailed(new Error('redirect count exceeded'));
          let next: URL;
          try {
            next = new URL(location, outgoing.url);
          } catch (error) {
            throw fetchFailed(error);
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fetchFailed(new Error(`URL scheme must be a HTTP(S) scheme`));
          const isRewrite = (status === 303 && outgoing.method !== 'GET' && outgoing.method !== 'HEAD') || ((status === 301 || status === 302) && outgoing.method === 'POST');
          if (isRewrite) {
            outgoing.method = 'GET';
            outgoing.body = null;
            outgoing.isReplayable = true;
            for (const name of BODY_HEADERS) outgoing.headers.delete(name);
          } else if (!outgoing.isReplayable) {
            // A streamed body was sent once and is gone (fetch: "request's body's source is null").
            throw fetchFailed(new Error('a streamed request body cannot follow a redirect that resends it'));
          }
          if (next.origin !== outgoing.url.origin) for (const name of CREDENTIAL_HEADERS) outgoing.headers.delete(name);
          outgoing.url = next;
          redirected = true;
          continue;
        }
        return toResponse(answer, outgoing, redirected, signal);
      }
    };
    return { pools, fetch: transportFetch as typeof fetch };
  };

  const forConnectMs = (ms: number): { pools: Pools; fetch: typeof fetch } => {
    let found = byConnectMs.get(ms);
    if (found === undefined) {
      found = make(ms);
      byConnectMs.set(ms, found);
    }
    return found;
  };

  const main = forConnectMs(options.timeouts?.connectMs ?? 10_000);
  const hooks: TransportHooks = {
    close: async () => {
      await Promise.all([...byConnectMs.values()].map((entry) => entry.pools.close()));
    },
    withConnectTimeout: (ms) => forConnectMs(ms).fetch,
  };
  return Object.assign(main.fetch, { close: hooks.close, [TRANSPORT]: hooks }) as NodeTransport;
}

/** Transports for dispatchers passed with a call (`init.dispatcher`), one per dispatcher. */
const perDispatcher = new WeakMap<TransportDispatcher, typeof fetch>();
function nodeTransportWith(dispatcher: TransportDispatcher): typeof fetch {
  let found = perDispatcher.get(dispatcher);
  if (found === undefined) {
    found = nodeTransport({ dispatcher });
    perDispatcher.set(dispatcher, found);
  }
  return found;
}

/** Drops a body that will not be read: read out (the socket stays pooled) when short, else destroyed. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  const dump = (body as Readable & { dump?: (options: { limit: number }) => Promise<void> }).dump;
  if (typeof dump === 'function') void dump.call(body, { limit: 64 * 1024 }).catch(() => undefined);
  else body.destroy();
}

function toResponse(answer: DispatcherResponse, outgoing: Outgoing, redirected: boolean, signal: AbortSignal | null): Response {
  const status = answer.statusCode;
  const headers = responseHeaders(answer.headers);
  let body: ReadableStream<Uint8Array> | null = null;
  if (outgoing.method === 'HEAD' || outgoing.method === 'CONNECT' || NULL_BODY_STATUSES.has(status)) {
    answer.body.resume();
  } else {
    const encoding = headers.get('content-encoding');
    // An unknown coding passes through still encoded, as fetch passes it.
    const codings = codingsOf(encoding) ?? [];
    body = responseBody(
      answer.body,
      codings,
      (reason) => answer.body.destroy(reason instanceof Error ? reason : undefined),
      (error) => (signal?.aborted === true ? signal.reason : new TypeError('terminated', { cause: error })),
    );
  }
  const response = new Response(body, { status, statusText: STATUS_CODES[status] ?? '', headers });
  // A constructed Response has no `url`: fetch's, as it would have set it.
  Object.defineProperties(response, {
    url: { value: outgoing.url.href, enumerable: true },
    redirected: { value: redirected, enumerable: true },
  });
  return response;
}
