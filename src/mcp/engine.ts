/**
 * The MCP policy engine of one server, whatever carries its messages (Streamable HTTP through
 * `sluice.fetch`, or any transport through `mcpTransport()`): it decides on each JSON-RPC request
 * the client sends (allow and deny lists, limits, argument schemas, the PII filter), follows it to
 * its answer (timeouts, the guard on results, sizes) and ends each with one record.
 * @module
 */
import type { CallRecord, GuardVerdict, McpCallInfo } from '../events/record.js';
import { GuardScan } from '../plugins/guard/index.js';
import { PiiScan } from '../plugins/pii/redact.js';
import { RateBucket, Slots } from './limiter.js';
import type { ResolvedLimits, ResolvedMcpOptions, ResolvedServer } from './options.js';
import { validate } from './schema.js';

/** A JSON-RPC error object. */
export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC 2.0 message as it travels: a request, a notification or a response. */
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: string | number | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: JsonRpcError;
}

/** JSON-RPC error codes Sluice answers with (the implementation-defined server range, and JSON-RPC's own). */
export const MCP_ERROR = Object.freeze({
  /** A tool the policy does not allow. */
  denied: -32010,
  /** A concurrency cap or rate limit. */
  limited: -32011,
  /** The PII filter or the guard refused. */
  blocked: -32012,
  /** The server's answer was larger than `maxMessageBytes`. */
  tooLarge: -32013,
  /** The server's answer was not JSON-RPC. */
  malformed: -32014,
  /** The call did not finish within `timeoutMs` (the SDK's own `RequestTimeout` code). */
  timeout: -32001,
  /** Arguments that do not match the tool's input schema (JSON-RPC's `Invalid params`). */
  invalidParams: -32602,
});

/** Where records go, and the instance defaults they carry. */
export interface RecordSink {
  publish(record: CallRecord): void;
  bodies: boolean;
  /** Whether the instance runs under zero data retention (`retention: 'none'`). */
  zeroRetention: boolean;
  user: string | null;
  session: string | null;
  tags: readonly string[];
  metadata: Readonly<Record<string, unknown>> | null;
  /** A new record id. */
  nextId(): string;
}

/** What the carrier knows of a request. */
export interface RequestMeta {
  transport: 'http' | 'transport';
  /** Keys the call among others in flight: the MCP session over HTTP, the wrapper over a transport; `null` for calls known only to their own exchange. */
  scope: string | null;
  /** The MCP session id, for the record. */
  sessionId: string | null;
  /** The Sluice session (`x-sluice-session`), user and tags, when the request names them. */
  session: string | null;
  user: string | null;
  tags: readonly string[] | null;
  /** Size of the message, in bytes. */
  bytes: number;
  /** The message's JSON text when the carrier has it (for the record, unless the message changes). */
  text: string | null;
  /** Called with the error answer when the call times out (the carrier delivers it). */
  onTimeout: (reply: JsonRpcMessage) => void;
}

/** One request followed to its answer. */
export interface PendingCall {
  readonly key: string | null;
  readonly id: string | number;
  readonly method: string;
  readonly target: string | null;
  readonly meta: RequestMeta;
  readonly startMs: number;
  readonly startedAt: number;
  /** Time Sluice spent on the request, ms. */
  requestMs: number;
  /** The request as recorded (redacted), or `null`. */
  requestBody: string | null;
  readonly guard: GuardVerdict[];
  placeholders: ReadonlyMap<string, string> | null;
  release: (() => void) | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The HTTP status of the exchange that answered, when known. */
  status: number | null;
  /** Whether the answer came in an SSE stream. */
  streamed: boolean;
  done: boolean;
}

/** How a call ended, for its record. */
type Ending =
  | { kind: 'answer'; message: JsonRpcMessage; bytes: number; responseMs: number; text: string | null }
  | { kind: 'refused'; reply: JsonRpcMessage; errorClass: string }
  | { kind: 'failed'; reply: JsonRpcMessage | null; errorClass: string; message: string; outcome: 'failed' | 'errored' | 'cancelled' };

/** Calls followed at once per server; the oldest is ended (`errored`, `mcp_evicted`) past it. */
const MAX_PENDING = 10_000;
/** Tool schemas kept per server. */
const MAX_TOOLS = 10_000;
/** Keys whose strings are not text (identifiers, types, binary): neither scanned nor restored. */
const NOT_TEXT = new Set(['type', 'mimeType', 'uri', 'blob', 'name', '_meta', 'progressToken']);

const now = (): number => performance.now();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps every text string inside a JSON value, copying only what changes.
 * @param value The value.
 * @param visit Called with each string and its path; returns the string to keep.
 * @param path The value's path.
 */
export function mapStrings(value: unknown, visit: (text: string, path: string) => string, path = ''): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const mapped = mapStrings(item, visit, `${path}[${index}]`);
      if (mapped !== item) (out ??= value.slice())[index] = mapped;
    }
    return out ?? value;
  }
  if (isObject(value)) {
    let out: Record<string, unknown> | null = null;
    for (const key in value) {
      if (NOT_TEXT.has(key)) continue;
      const item = value[key];
      const mapped = mapStrings(item, visit, path === '' ? key : `${path}.${key}`);
      if (mapped !== item) (out ??= { ...value })[key] = mapped;
    }
    return out ?? value;
  }
  return value;
}

/**
 * A JSON-RPC error answer.
 * @param id The request's id.
 * @param code The error code.
 * @param message What happened and what to change.
 * @param data Machine-readable details.
 */
export function errorReply(id: string | number | null, code: number, message: string, data?: Record<string, unknown>): JsonRpcMessage {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function idKey(scope: string, id: string | number): string {
  return `${scope}\n${typeof id === 'number' ? 'n' : 's'}${id}`;
}

function firstMatch<T extends { glob: RegExp }>(list: readonly T[], name: string): T | undefined {
  for (const entry of list) if (entry.glob.test(name)) return entry;
  return undefined;
}

/** Counters of one server's traffic. */
export interface McpServerStats {
  /** Requests followed to their answer. */
  calls: number;
  /** Requests refused by policy (deny, limits, schema, PII, guard on the request side). */
  refused: number;
  /** Server notifications dropped over `maxNotificationsPerSecond`. */
  notificationsDropped: number;
  /** Calls in flight. */
  pending: number;
}

/** The policy and bookkeeping of one server, for one Sluice instance. */
export class McpServerEngine {
  readonly server: ResolvedServer;
  readonly #options: ResolvedMcpOptions;
  readonly #sink: RecordSink;
  readonly #pending = new Map<string, PendingCall>();
  /** Declared input schemas by tool name, from `tools/list` answers. */
  readonly #schemas = new Map<string, unknown>();
  readonly #slots = new Map<string, Slots>();
  readonly #buckets = new Map<string, RateBucket>();
  #windowStartMs = 0;
  #windowCount = 0;
  readonly stats: McpServerStats = { calls: 0, refused: 0, notificationsDropped: 0, pending: 0 };

  /**
   * @param server The server's policy.
   * @param options The `mcp()` options (PII, guard).
   * @param sink Where records go.
   */
  constructor(server: ResolvedServer, options: ResolvedMcpOptions, sink: RecordSink) {
    this.server = server;
    this.#options = options;
    this.#sink = sink;
  }

  /**
   * Decides on a message the client sends. Requests are checked and followed; everything else passes.
   * @param message The message.
   * @param meta What the carrier knows.
   * @returns The message to send (possibly changed, `call` set for a followed request), or the answer to give the client instead.
   */
  async outgoing(message: JsonRpcMessage, meta: RequestMeta): Promise<{ send: JsonRpcMessage; call: PendingCall | null } | { reply: JsonRpcMessage }> {
    const method = message.method;
    if (typeof method !== 'string') return { send: message, call: null };
    const id = message.id;
    if (id === undefined || id === null) {
      if (method === 'notifications/cancelled' && meta.scope !== null && isObject(message.params)) {
        const requestId = message.params['requestId'];
        const call = typeof requestId === 'string' || typeof requestId === 'number' ? this.#pending.get(idKey(meta.scope, requestId)) : undefined;
        if (call !== undefined) this.#finish(call, { kind: 'failed', reply: null, errorClass: 'abort', message: 'the client cancelled the request', outcome: 'cancelled' });
      }
      return { send: message, call: null };
    }
    const startMs = now();
    const params = isObject(message.params) ? message.params : null;
    const target = method === 'tools/call' || method === 'prompts/get' ? (typeof params?.['name'] === 'string' ? params['name'] : null) : method === 'resources/read' ? (typeof params?.['uri'] === 'string' ? params['uri'] : null) : null;
    const call: PendingCall = {
      key: meta.scope === null ? null : idKey(meta.scope, id),
      id,
      method,
      target,
      meta,
      startMs,
      startedAt: Date.now(),
      requestMs: 0,
      requestBody: null,
      guard: [],
      placeholders: null,
      release: null,
      timer: null,
      status: null,
      streamed: false,
      done: false,
    };
    let send = message;
    const refuse = (code: number, errorClass: string, text: string): { reply: JsonRpcMessage } => {
      const reply = errorReply(id, code, `sluice: ${text}`, { sluice: errorClass, server: this.server.name, ...(target === null ? {} : { tool: target }) });
      if (this.#sink.bodies && call.requestBody === null) call.requestBody = JSON.stringify(send);
      this.stats.refused++;
      this.#finish(call, { kind: 'refused', reply, errorClass });
      return { reply };
    };
    let limits: ResolvedLimits = this.server.limits;
    if (method === 'tools/call') {
      const tool = target ?? '';
      const server = this.server;
      const denied = server.deny.findIndex((glob) => glob.test(tool));
      if (denied !== -1) return refuse(MCP_ERROR.denied, 'mcp_denied', `tool '${tool}' on MCP server '${server.name}' is denied by policy (deny: '${server.denyText[denied]}'); change mcp().servers.${server.name}.deny to allow it`);
      if (server.allow !== null && !server.allow.some((glob) => glob.test(tool))) {
        return refuse(MCP_ERROR.denied, 'mcp_denied', `tool '${tool}' on MCP server '${server.name}' is not in the allow list (${server.allowText.join(', ')}); add it to mcp().servers.${server.name}.allow`);
      }
      if (server.validateArguments) {
        const schema = this.#schemas.get(tool);
        if (schema !== undefined) {
          const problems = validate(params?.['arguments'] ?? {}, schema);
          if (problems.length > 0) return refuse(MCP_ERROR.invalidParams, 'mcp_invalid_arguments', `arguments of tool '${tool}' do not match its input schema: ${problems.join('; ')}`);
        }
      }
      const rule = firstMatch(server.tools, tool);
      if (rule !== undefined) limits = rule.limits;
      const limited = await this.#take(call, rule === undefined ? null : `tool:${rule.text}`, rule?.limits ?? null);
      if (limited !== null) return refuse(MCP_ERROR.limited, 'mcp_limited', limited);
    }
    if ((method === 'tools/call' || method === 'prompts/get') && this.#options.pii !== null && params !== null && params['arguments'] !== undefined) {
      const pii = this.#options.pii;
      const scan = new PiiScan(pii, null);
      const args = params['arguments'];
      const sent = mapStrings(args, scan.visit, 'arguments');
      if (scan.matched) {
        pii.detectors.forEach((detector, index) => {
          const count = scan.counts[index]!;
          if (count > 0) call.guard.push({ rule: detector.name, action: pii.modes[index]!, count });
        });
        const recorded = scan.hasRecordedChanges ? mapStrings(args, scan.recordedText, 'arguments') : sent;
        if (this.#sink.bodies) call.requestBody = JSON.stringify({ ...message, params: { ...params, arguments: recorded } });
        if (scan.blocked.length > 0) {
          const sites = scan.blocked.map((site) => `${site.rule} in ${site.path}`).join(', ');
          call.release?.();
          call.release = null;
          return refuse(MCP_ERROR.blocked, 'sluice_pii_blocked', `pii: the call was not sent: found ${sites}; remove the value, or set the rule to 'redact' or 'mask' in mcp().pii`);
        }
        if (sent !== args) send = { ...message, params: { ...params, arguments: sent } };
        if (pii.restore && scan.placeholders.size > 0) call.placeholders = scan.placeholders;
      }
    }
    if (this.#sink.bodies && call.requestBody === null) call.requestBody = send === message && meta.text !== null ? meta.text : JSON.stringify(send);
    if (method === 'tools/call' && limits.timeoutMs !== null) {
      const timeoutMs = limits.timeoutMs;
      call.timer = setTimeout(() => {
        if (call.done) return;
        const reply = errorReply(id, MCP_ERROR.timeout, `sluice: ${method} ${target ?? ''} on MCP server '${this.server.name}' did not answer within ${timeoutMs} ms (timeoutMs)`.replace('  ', ' '), { sluice: 'mcp_timeout', server: this.server.name, timeoutMs });
        this.#finish(call, { kind: 'failed', reply, errorClass: 'mcp_timeout', message: reply.error!.message, outcome: 'failed' });
        meta.onTimeout(reply);
      }, timeoutMs);
      (call.timer as { unref?: () => void }).unref?.();
    }
    if (call.key !== null) {
      if (this.#pending.size >= MAX_PENDING) {
        const oldest = this.#pending.values().next().value!;
        this.#finish(oldest, { kind: 'failed', reply: null, errorClass: 'mcp_evicted', message: `more than ${MAX_PENDING} calls in flight: the oldest is no longer followed`, outcome: 'errored' });
      }
      this.#pending.set(call.key, call);
      this.stats.pending = this.#pending.size;
    }
    call.requestMs = now() - startMs;
    return { send, call };
  }

  /** Takes the server's and the tool rule's slots and tokens; returns why not, or `null`. */
  async #take(call: PendingCall, ruleKey: string | null, rule: ResolvedLimits | null): Promise<string | null> {
    const levels: Array<[string, ResolvedLimits]> = [['server', this.server.limits]];
    if (ruleKey !== null && rule !== null) levels.push([ruleKey, rule]);
    const releases: Array<() => void> = [];
    const release = (): void => {
      for (const done of releases.splice(0)) done();
    };
    for (const [key, limits] of levels) {
      const where = key === 'server' ? `MCP server '${this.server.name}'` : `tools '${key.slice(5)}' on MCP server '${this.server.name}'`;
      if (limits.requestsPerMinute !== null) {
        let bucket = this.#buckets.get(key);
        if (bucket === undefined) this.#buckets.set(key, (bucket = new RateBucket(limits.requestsPerMinute, now())));
        const waitMs = bucket.take(now());
        if (waitMs > 0) {
          release();
          return `rate limit of ${limits.requestsPerMinute} tool calls per minute reached for ${where}; retry in ${waitMs} ms`;
        }
      }
      if (limits.maxConcurrent !== null) {
        let slots = this.#slots.get(key);
        if (slots === undefined) this.#slots.set(key, (slots = new Slots(limits.maxConcurrent, limits.maxQueue)));
        const taken = slots.acquire();
        if (taken === false) {
          release();
          return `concurrency cap of ${limits.maxConcurrent} tool calls reached for ${where}, and ${limits.maxQueue} already wait (maxQueue)`;
        }
        if (taken !== true) await taken;
        const held = slots;
        releases.push(() => held.release());
      }
    }
    if (releases.length > 0) call.release = release;
    return null;
  }

  /**
   * Whether a request of this scope is being followed.
   * @param scope The call's scope.
   * @param id The JSON-RPC id.
   */
  find(scope: string, id: string | number): PendingCall | undefined {
    return this.#pending.get(idKey(scope, id));
  }

  /**
   * Follows a message from the server: an answer ends its call (guard, restoration, record); a
   * notification counts against the flood limit; anything else passes.
   * @param message The message.
   * @param call The call it answers, when the carrier knows it; otherwise looked up in `scope`.
   * @param scope The exchange's scope.
   * @param bytes The message's size.
   * @returns The message to deliver (possibly a new one), or `null` to drop it.
   */
  incoming(message: JsonRpcMessage, call: PendingCall | undefined, scope: string | null, bytes: number, text: string | null = null): JsonRpcMessage | null {
    const id = message.id;
    if (message.method !== undefined) {
      if (id !== undefined && id !== null) return message;
      // A notification: at most `maxNotificationsPerSecond`, the rest dropped.
      const nowMs = now();
      if (nowMs - this.#windowStartMs >= 1000) {
        this.#windowStartMs = nowMs;
        this.#windowCount = 0;
      }
      if (++this.#windowCount > this.server.maxNotificationsPerSecond) {
        this.stats.notificationsDropped++;
        return null;
      }
      return message;
    }
    if (id === undefined || id === null) return message;
    const followed = call ?? (scope === null ? undefined : this.#pending.get(idKey(scope, id)));
    if (followed === undefined) return message;
    // An answer after a timeout or a cancel: the client has its answer already.
    if (followed.done) return null;
    const startMs = now();
    if (bytes > this.server.maxMessageBytes) return this.tooLarge(followed, bytes);
    let out = message;
    if (message.result !== undefined) {
      let result: unknown = message.result;
      if (followed.method === 'tools/list') result = this.#learnTools(result);
      const guard = this.#options.guard;
      if (guard !== null && (followed.method === 'tools/call' || followed.method === 'resources/read' || followed.method === 'prompts/get' || followed.method === 'tools/list')) {
        const scan = new GuardScan(guard);
        const scanned = mapStrings(result, (text, path) => scan.visit(text, path, 'tool'), 'result');
        for (const [rule, { action, count }] of scan.counts) followed.guard.push({ rule, action, count });
        if (scan.blocked.length > 0) {
          const rules = [...new Set(scan.blocked.map((site) => `'${site.rule}'`))].join(', ');
          const sites = scan.blocked.map((site) => site.path).join(', ');
          const reply = errorReply(id, MCP_ERROR.blocked, `sluice: the answer of ${followed.method} ${followed.target ?? ''} from MCP server '${this.server.name}' was withheld: guard rule ${rules} matched (in ${sites}); if this is a false positive, set the rule to 'log' in mcp().guard`.replace('  ', ' '), { sluice: 'sluice_guard_blocked', server: this.server.name, rules: [...new Set(scan.blocked.map((site) => site.rule))] });
          this.#finish(followed, { kind: 'refused', reply, errorClass: 'sluice_guard_blocked' }, bytes);
          return reply;
        }
        result = scanned;
      }
      const placeholders = followed.placeholders;
      if (placeholders !== null) {
        result = mapStrings(result, (text) => {
          if (!text.includes('<')) return text;
          let restored = text;
          for (const [placeholder, original] of placeholders) if (restored.includes(placeholder)) restored = restored.replaceAll(placeholder, original);
          return restored;
        });
      }
      if (result !== message.result) out = { ...message, result };
    }
    this.#finish(followed, { kind: 'answer', message: out, bytes, responseMs: now() - startMs, text: out === message ? text : null });
    return out;
  }

  /**
   * Ends a call whose answer was larger than `maxMessageBytes`.
   * @param call The call.
   * @param bytes The answer's size (at least), in bytes.
   * @returns The error answer for the client.
   */
  tooLarge(call: PendingCall, bytes: number): JsonRpcMessage {
    const limit = this.server.maxMessageBytes;
    const reply = errorReply(call.id, MCP_ERROR.tooLarge, `sluice: the answer of ${call.method} ${call.target ?? ''} from MCP server '${this.server.name}' is larger than ${limit} bytes (maxMessageBytes) and was refused`.replace('  ', ' '), { sluice: 'mcp_too_large', server: this.server.name, maxMessageBytes: limit });
    this.#finish(call, { kind: 'failed', reply, errorClass: 'mcp_too_large', message: reply.error!.message, outcome: 'failed' }, bytes);
    return reply;
  }

  /**
   * Ends a call whose answer cannot come: the exchange failed (HTTP error, network, malformed answer).
   * @param call The call.
   * @param errorClass The record's error class.
   * @param text What happened.
   * @param reply The answer given to the client instead, if any.
   * @param outcome The record's outcome.
   */
  fail(call: PendingCall, errorClass: string, text: string, reply: JsonRpcMessage | null, outcome: 'failed' | 'errored' | 'cancelled' = 'errored'): void {
    if (!call.done) this.#finish(call, { kind: 'failed', reply, errorClass, message: text, outcome });
  }

  /**
   * The error answer for a call whose answer was not JSON-RPC.
   * @param call The call.
   */
  malformed(call: PendingCall): JsonRpcMessage {
    const reply = errorReply(call.id, MCP_ERROR.malformed, `sluice: MCP server '${this.server.name}' answered ${call.method} with a message that is not JSON-RPC`, { sluice: 'mcp_malformed', server: this.server.name });
    this.fail(call, 'mcp_malformed', reply.error!.message, reply, 'errored');
    return reply;
  }

  /** Keeps the declared input schemas, and hides denied tools from the list. */
  #learnTools(result: unknown): unknown {
    if (!isObject(result) || !Array.isArray(result['tools'])) return result;
    const server = this.server;
    const visible = result['tools'].filter((tool: unknown) => {
      if (!isObject(tool) || typeof tool['name'] !== 'string') return true;
      const name = tool['name'];
      if (this.#schemas.size < MAX_TOOLS || this.#schemas.has(name)) this.#schemas.set(name, tool['inputSchema']);
      return !server.deny.some((glob) => glob.test(name)) && (server.allow === null || server.allow.some((glob) => glob.test(name)));
    });
    return visible.length === result['tools'].length ? result : { ...result, tools: visible };
  }

  #finish(call: PendingCall, ending: Ending, resultBytes: number | null = null): void {
    if (call.done) return;
    call.done = true;
    if (call.timer !== null) clearTimeout(call.timer);
    call.release?.();
    call.release = null;
    if (call.key !== null && this.#pending.get(call.key) === call) {
      this.#pending.delete(call.key);
      this.stats.pending = this.#pending.size;
    }
    this.stats.calls++;
    const endMs = now();
    const sink = this.#sink;
    const meta = call.meta;
    let outcome: CallRecord['outcome'] = 'completed';
    let error: CallRecord['error'] = null;
    let errorCode: number | null = null;
    let toolError = false;
    let answer: JsonRpcMessage | null = null;
    let answerText: string | null = null;
    let responseMs = 0;
    switch (ending.kind) {
      case 'answer': {
        answer = ending.message;
        answerText = ending.text;
        responseMs = ending.responseMs;
        resultBytes = ending.bytes;
        if (answer.error !== undefined) {
          outcome = 'failed';
          errorCode = typeof answer.error.code === 'number' ? answer.error.code : null;
          error = { class: 'jsonrpc_error', message: `MCP error ${String(answer.error.code)}: ${String(answer.error.message)}` };
        } else if (isObject(answer.result) && answer.result['isError'] === true) {
          outcome = 'failed';
          toolError = true;
          error = { class: 'tool_error', message: `tool '${call.target ?? ''}' answered with isError: true` };
        }
        break;
      }
      case 'refused':
        answer = ending.reply;
        outcome = 'failed';
        errorCode = ending.reply.error!.code;
        error = { class: ending.errorClass, message: ending.reply.error!.message };
        break;
      case 'failed':
        answer = ending.reply;
        outcome = ending.outcome;
        errorCode = ending.reply?.error?.code ?? null;
        error = { class: ending.errorClass, message: ending.message };
        break;
    }
    const refused = ending.kind === 'refused' && resultBytes === null;
    const latencyMs = endMs - call.startMs;
    const info: McpCallInfo = {
      server: this.server.name,
      method: call.method,
      target: call.target,
      requestId: call.id,
      sessionId: meta.sessionId,
      transport: meta.transport,
      requestBytes: meta.bytes,
      resultBytes,
      errorCode,
      toolError,
    };
    const record: CallRecord = {
      id: sink.nextId(),
      startedAt: call.startedAt,
      dialect: 'mcp',
      operation: `mcp.${call.method}`,
      requestedModel: null,
      provider: this.server.name,
      model: null,
      status: call.status,
      outcome,
      streamed: call.streamed,
      latencyMs,
      ttftMs: null,
      overheadMs: call.requestMs + responseMs,
      phases: { requestMs: call.requestMs, upstreamMs: refused ? null : Math.max(0, latencyMs - call.requestMs - responseMs), responseMs },
      usage: { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null },
      usagePartial: false,
      usageEstimated: false,
      costUsd: null,
      pricing: null,
      user: meta.user ?? sink.user,
      session: meta.session ?? this.#options.session ?? sink.session,
      tags: [...(meta.tags ?? sink.tags)],
      metadata: sink.metadata === null ? null : { ...sink.metadata },
      error,
      attempts: refused
        ? []
        : [{ provider: this.server.name, model: null, keyId: null, status: call.status, errorClass: error?.class ?? null, latencyMs: latencyMs - call.requestMs, sentAfterMs: call.requestMs }],
      cache: null,
      guard: call.guard.slice(),
      requestBody: sink.bodies ? call.requestBody : null,
      responseBody: sink.bodies && answer !== null ? (answerText ?? JSON.stringify(answer)) : null,
      region: null,
      zeroRetention: sink.zeroRetention,
      mcp: info,
    };
    sink.publish(record);
  }
}
