/**
 * `sluice/mcp`: Model Context Protocol traffic through the same records and policy as model calls.
 * `mcp({ servers })` goes in `createSluice({ mcp })`: `sluice.fetch` handed to the MCP SDK's
 * Streamable HTTP transport then governs the configured servers. `mcpTransport()` wraps any other
 * transport (stdio included). Web platform only. See docs/mcp.md.
 * @module
 */
import { INTERNAL, type Sluice, type SluiceInternals } from '../core/sluice.js';
import type { McpHook } from '../core/types.js';
import type { CallRecord } from '../events/record.js';
import { McpServerEngine, type JsonRpcMessage, type McpServerStats, type PendingCall, type RecordSink, type RequestMeta } from './engine.js';
import { handleHttp, type HttpCarrier } from './http.js';
import { endpointOf, resolveMcpOptions, type McpOptions, type ResolvedMcpOptions } from './options.js';

export type { McpCallLimits, McpOptions, McpServerOptions } from './options.js';
export type { JsonRpcError, JsonRpcMessage, McpServerStats } from './engine.js';
export { MCP_ERROR } from './engine.js';
export { validate as validateJsonSchema } from './schema.js';
export type { McpCallInfo, McpOperation, RecordDialect, RecordOperation } from '../events/record.js';

/** The MCP handler: pass it as `createSluice({ mcp })`. */
export interface McpHandler extends McpHook {
  /** Counters per server, for one instance. */
  stats(sluice: Sluice): Record<string, McpServerStats>;
}

/** One `mcp()` handler's state: engines per instance and server. */
interface Runtime {
  options: ResolvedMcpOptions;
  /** `origin + path` → server name. */
  endpoints: ReadonlyMap<string, string>;
  engines: WeakMap<Sluice, Map<string, McpServerEngine>>;
}

const runtimes = new WeakMap<McpHook, Runtime>();

function internalsOf(sluice: Sluice, caller: string): SluiceInternals {
  const internals = (sluice as unknown as Record<symbol, SluiceInternals | undefined>)[INTERNAL];
  if (internals === undefined) throw new TypeError(`${caller}: expected an instance from createSluice()`);
  return internals;
}

function randomPrefix(): string {
  const bytes = new Uint8Array(5);
  globalThis.crypto.getRandomValues(bytes);
  let out = 'mcp_';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function sinkOf(internals: SluiceInternals): RecordSink {
  const { config } = internals;
  const prefix = randomPrefix();
  let counter = 0;
  return {
    publish: (record: CallRecord) => {
      // The scrubber is loaded with the instance; records wait for it.
      void internals.secrets.then((secrets) => internals.publish(secrets.scrubRecord(record, config.maxBodyChars)));
    },
    bodies: config.bodies,
    zeroRetention: config.zeroRetention,
    user: config.user,
    session: config.session,
    tags: config.tags,
    metadata: config.metadata,
    nextId: () => prefix + (counter++).toString(36),
  };
}

/** What the HTTP carrier reads of an instance, kept per instance. */
const carriers = new WeakMap<SluiceInternals, HttpCarrier>();

function carrierOf(internals: SluiceInternals): HttpCarrier {
  let carrier = carriers.get(internals);
  if (carrier === undefined) {
    const made: HttpCarrier = { upstream: internals.upstream, secrets: internals.secrets, registry: null };
    void internals.secrets.then((registry) => (made.registry = registry));
    carriers.set(internals, (carrier = made));
  }
  return carrier;
}

function engineOf(runtime: Runtime, sluice: Sluice, internals: SluiceInternals, server: string): McpServerEngine {
  let engines = runtime.engines.get(sluice);
  if (engines === undefined) runtime.engines.set(sluice, (engines = new Map()));
  let engine = engines.get(server);
  if (engine === undefined) {
    const policy = runtime.options.servers.get(server)!;
    engines.set(server, (engine = new McpServerEngine(policy, runtime.options, sinkOf(internals))));
  }
  return engine;
}

/** The URL without query and fragment, and without a trailing slash: what endpoints are matched on. */
function endpointKey(url: string): string {
  let end = url.length;
  const query = url.indexOf('?');
  if (query !== -1) end = query;
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  let key = url.slice(0, end);
  if (key.endsWith('/') && key.indexOf('/', key.indexOf('//') + 2) !== key.length - 1) key = key.slice(0, -1);
  return key;
}

/**
 * Creates the MCP handler for `createSluice({ mcp })`. Calls through `sluice.fetch` to a configured
 * server's `url` (Streamable HTTP: POST, GET and DELETE on that origin and path) are governed: tool
 * allow and deny lists, per-call timeouts, concurrency caps and rate limits, arguments checked
 * against the tool's declared input schema, the PII filter on arguments and the guard on results;
 * every request ends with a record (`operation: 'mcp.tools/call'`...). Headers pass through as the
 * client set them; a refusal reaches the client as a JSON-RPC error, which the MCP SDK raises as an
 * `McpError` with Sluice's message.
 * @param options The servers and the filters.
 * @returns The handler.
 * @throws {SluiceConfigError} when an option is invalid, with paths such as `mcp().servers.docs.alow`.
 * @example
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js';
 * import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
 * import { createSluice } from 'sluice';
 * import { mcp } from 'sluice/mcp';
 *
 * const sluice = createSluice({
 *   mcp: mcp({ servers: { docs: { url: 'https://docs.example.com/mcp', deny: ['delete_*'], timeoutMs: 30_000 } }, pii: { mode: 'redact' }, guard: {} }),
 * });
 * const client = new Client({ name: 'agent', version: '1.0.0' });
 * await client.connect(new StreamableHTTPClientTransport(new URL('https://docs.example.com/mcp'), { fetch: sluice.fetch }));
 */
export function mcp(options: McpOptions): McpHandler {
  const resolved = resolveMcpOptions(options);
  const endpoints = new Map<string, string>();
  for (const server of resolved.servers.values()) if (server.endpoint !== null) endpoints.set(server.endpoint, server.name);
  const runtime: Runtime = { options: resolved, endpoints, engines: new WeakMap() };
  const hook = ((sluice, input, init, method, url) => {
    if (endpoints.size === 0) return null;
    let server = endpoints.get(endpointKey(url));
    // A URL written differently (default port, case of the host): compare as parsed, only when the cheap key missed.
    if (server === undefined && url.startsWith('http')) {
      const endpoint = endpointOf(url);
      server = endpoint === null ? undefined : endpoints.get(endpoint);
    }
    if (server === undefined) return null;
    const internals = internalsOf(sluice, 'mcp()');
    return handleHttp(engineOf(runtime, sluice, internals, server), carrierOf(internals), input, init, method, url);
  }) as McpHandler;
  hook.stats = (sluice: Sluice) => {
    const out: Record<string, McpServerStats> = {};
    for (const [name, engine] of runtime.engines.get(sluice) ?? []) out[name] = { ...engine.stats };
    return out;
  };
  runtimes.set(hook, runtime);
  return hook;
}

/**
 * What {@link mcpTransport} wraps: the MCP SDK's `Transport` contract, structurally (loose parameter
 * types, so any transport class fits whatever message types it declares).
 */
export interface McpTransportLike {
  start(): Promise<void>;
  send(message: never, options?: never): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: never, extra?: never) => void) | undefined;
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
}

/** What {@link mcpTransport} returns: a transport to hand to the MCP `Client` (cast it to the SDK's `Transport`). */
export interface McpWrappedTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JsonRpcMessage, extra?: unknown) => void) | undefined;
  readonly sessionId: string | undefined;
  setProtocolVersion?: (version: string) => void;
}

/** The wrapped transport as the wrapper drives it: the wrapper's own contract, with the session and protocol version the inner transport may lack. */
type InnerTransport = Omit<McpWrappedTransport, 'sessionId' | 'setProtocolVersion'> & {
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
};

/** Options of {@link mcpTransport}. */
export interface McpTransportOptions {
  /** The server's name in `mcp({ servers })`: its policy applies, and records name it. */
  server: string;
  /** The handler whose policy applies. @default the one in the instance's `createSluice({ mcp })` */
  policy?: McpHandler;
  /** The Sluice session of the records (to group them with model calls). @default `mcp().session`, then the instance's `session` */
  session?: string;
  /** The user of the records. @default the instance's `user` */
  user?: string;
}

let wrappers = 0;

/**
 * Wraps an MCP transport (stdio, WebSocket, in-memory, your own) so the JSON-RPC messages it carries
 * go through the same policy and records as Streamable HTTP calls through `sluice.fetch`: refusals
 * and timeouts are answered to the client as JSON-RPC errors without reaching the server, answers
 * are checked (size, guard) before the client sees them.
 * @param transport The transport to wrap; the wrapper owns its callbacks from now on.
 * @param sluice The instance whose records and listeners receive the calls.
 * @param options The server's name, and optionally the policy.
 * @returns A transport to hand to the MCP `Client` instead.
 * @throws {TypeError} when the server is not configured in the policy.
 * @example
 * import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
 * import { mcpTransport } from 'sluice/mcp';
 *
 * const transport = mcpTransport(new StdioClientTransport({ command: 'node', args: ['server.js'] }), sluice, { server: 'local' });
 * await client.connect(transport);
 */
export function mcpTransport(wrapped: McpTransportLike, sluice: Sluice, options: McpTransportOptions): McpWrappedTransport {
  const transport = wrapped as unknown as InnerTransport;
  const internals = internalsOf(sluice, 'mcpTransport()');
  const policy = options.policy ?? (internals.config.mcp as McpHandler | undefined);
  const runtime = policy === undefined ? undefined : runtimes.get(policy);
  if (runtime === undefined) throw new TypeError("mcpTransport(): no policy: configure createSluice({ mcp: mcp({ servers }) }) or pass options.policy");
  if (!runtime.options.servers.has(options.server)) {
    throw new TypeError(`mcpTransport(): server '${options.server}' is not in mcp({ servers }); known: ${[...runtime.options.servers.keys()].join(', ')}`);
  }
  const engine = engineOf(runtime, sluice, internals, options.server);
  const scope = `transport:${wrappers++}`;
  /** Calls this wrapper follows, by id: answers are matched here before the engine's own map. */
  const wrapper: McpWrappedTransport = {
    start: () => transport.start(),
    close: () => transport.close(),
    get sessionId() {
      return transport.sessionId;
    },
    async send(message, sendOptions) {
      const text = JSON.stringify(message);
      const meta: RequestMeta = {
        transport: 'transport',
        scope,
        sessionId: transport.sessionId ?? null,
        session: options.session ?? null,
        user: options.user ?? null,
        tags: null,
        bytes: text.length,
        text,
        onTimeout: (reply) => {
          deliver(reply);
          // Tell the server to stop working on it.
          void transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: reply.id, reason: 'timed out (sluice timeoutMs)' } }).catch(() => undefined);
        },
      };
      const decision = await engine.outgoing(message, meta);
      if ('reply' in decision) {
        // The client reads answers asynchronously, as from a real transport.
        queueMicrotask(() => deliver(decision.reply));
        return;
      }
      try {
        await transport.send(decision.send, sendOptions);
      } catch (error) {
        if (decision.call !== null) engine.fail(decision.call, 'network_error', error instanceof Error ? error.message : String(error), null);
        throw error;
      }
    },
  };
  if (transport.setProtocolVersion !== undefined) wrapper.setProtocolVersion = (version) => transport.setProtocolVersion!(version);
  const deliver = (message: JsonRpcMessage, extra?: unknown): void => {
    wrapper.onmessage?.(message, extra);
  };
  transport.onmessage = (message, extra) => {
    const id = message.id;
    const isAnswer = message.method === undefined && id !== undefined && id !== null;
    const call: PendingCall | undefined = isAnswer ? engine.find(scope, id) : undefined;
    // Sizes are measured only for answers Sluice follows (stringifying costs).
    const bytes = call === undefined ? 0 : JSON.stringify(message).length;
    const delivered = engine.incoming(message, call, scope, bytes);
    if (delivered !== null) deliver(delivered, extra);
  };
  transport.onclose = () => wrapper.onclose?.();
  transport.onerror = (error) => wrapper.onerror?.(error);
  return wrapper;
}
