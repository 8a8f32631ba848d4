/**
 * The `mcp()` options: their types, their validation (zod/mini, built on first use) and their
 * resolution into per-server policies with compiled globs.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../core/errors.js';
import { readableIssues, schemaKeys } from '../config/issues.js';
import { resolvePiiOptions, type PiiOptions, type ResolvedPiiOptions } from '../plugins/pii/options.js';
import { resolveGuardOptions, type GuardOptions, type ResolvedGuardOptions } from '../plugins/guard/options.js';

/** Limits for the calls of one server, or of the tools a glob names. */
export interface McpCallLimits {
  /** How long a `tools/call` may wait for its answer before the client gets a timeout error, in ms. @default none */
  timeoutMs?: number;
  /** How many `tools/call` may be in flight at once; more wait their turn (at most `maxQueue`). @default no cap */
  maxConcurrent?: number;
  /** How many calls may wait for a concurrency slot; more are refused at once. @default 100 */
  maxQueue?: number;
  /** How many `tools/call` may start per minute (a token bucket refilled continuously); more are refused. @default no limit */
  requestsPerMinute?: number;
}

/** One MCP server's policy. */
export interface McpServerOptions extends McpCallLimits {
  /**
   * The server's Streamable HTTP endpoint (`https://host/mcp`). Calls through `sluice.fetch` to this
   * origin and path are governed; without it the entry applies only to `mcpTransport(..., { server })`.
   */
  url?: string;
  /** Tools that may be called, as globs (`*` any characters, `?` one): any other is refused. @default every tool */
  allow?: readonly string[];
  /** Tools that may not be called, as globs; wins over `allow`. @default none */
  deny?: readonly string[];
  /** Per-tool limits by glob (`{ 'search_*': { timeoutMs: 5000 } }`); the first glob that matches wins, over the server's own. */
  tools?: Readonly<Record<string, McpCallLimits>>;
  /** Check `tools/call` arguments against the input schema the server declared in `tools/list`. @default true */
  validateArguments?: boolean;
  /** The largest answer (one JSON body, or one SSE event) taken from the server, in bytes; a larger one is refused with an error. @default 4194304 (4 MiB) */
  maxMessageBytes?: number;
  /** Server notifications passed on per second; more are dropped (and counted in `stats()`). @default 200 */
  maxNotificationsPerSecond?: number;
}

/** Options of {@link mcp}. */
export interface McpOptions {
  /** Servers by name; the name appears in records (`record.provider`, `record.mcp.server`). */
  servers: Readonly<Record<string, McpServerOptions>>;
  /**
   * The PII filter on what leaves the process: `tools/call` and `prompts/get` arguments are scanned and
   * each rule redacts (placeholders, put back in the result), masks, blocks or logs, as `pii()` does;
   * `false` turns it off. @default off
   */
  pii?: PiiOptions | false;
  /**
   * The guard on what comes back: tool results, resource contents and prompts are scanned for prompt
   * injection, jailbreaks, hidden Unicode and your keywords and patterns, as `guard()` does (its
   * `check`, `scan` and `timeoutMs` options do not apply); a `block` verdict replaces the answer
   * with a JSON-RPC error, `hidden-unicode: 'redact'` strips the characters. `false` turns it off. @default off
   */
  guard?: GuardOptions | false;
  /** The Sluice session of every MCP record, unless the request carries `x-sluice-session`. @default the instance's `session` */
  session?: string;
}

/** A glob compiled. */
export type Glob = RegExp;

/** Limits resolved. */
export interface ResolvedLimits {
  timeoutMs: number | null;
  maxConcurrent: number | null;
  maxQueue: number;
  requestsPerMinute: number | null;
}

/** A server's policy, resolved. */
export interface ResolvedServer {
  name: string;
  /** `origin + pathname` of `url`, or `null`. */
  endpoint: string | null;
  allow: readonly Glob[] | null;
  allowText: readonly string[];
  deny: readonly Glob[];
  denyText: readonly string[];
  limits: ResolvedLimits;
  tools: ReadonlyArray<{ glob: Glob; text: string; limits: ResolvedLimits }>;
  validateArguments: boolean;
  maxMessageBytes: number;
  maxNotificationsPerSecond: number;
}

/** The options, resolved. */
export interface ResolvedMcpOptions {
  servers: ReadonlyMap<string, ResolvedServer>;
  pii: ResolvedPiiOptions | null;
  guard: ResolvedGuardOptions | null;
  session: string | null;
}

const ROOT = 'mcp()';
/** Default largest message taken from a server. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_QUEUE = 100;
const DEFAULT_NOTIFICATIONS_PER_SECOND = 200;

let schema: z.ZodMiniType | undefined;

function optionsSchema(): z.ZodMiniType {
  const positive = () => z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: 'expected a finite number > 0' }));
  const count = () => z.int().check(z.refine((value) => value >= 1, { error: 'expected an integer >= 1' }));
  const globs = () => z.array(z.string().check(z.minLength(1)));
  const limits = {
    timeoutMs: z.optional(positive()),
    maxConcurrent: z.optional(count()),
    maxQueue: z.optional(z.int().check(z.nonnegative())),
    requestsPerMinute: z.optional(positive()),
  };
  const url = z.string().check(z.refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), { error: 'Invalid url (expected http:// or https://)' }));
  return z.strictObject({
    servers: z.record(
      z.string(),
      z.strictObject({
        ...limits,
        url: z.optional(url),
        allow: z.optional(globs()),
        deny: z.optional(globs()),
        tools: z.optional(z.record(z.string(), z.strictObject(limits))),
        validateArguments: z.optional(z.boolean()),
        maxMessageBytes: z.optional(count()),
        maxNotificationsPerSecond: z.optional(positive()),
      }),
    ),
    pii: z.optional(z.union([z.literal(false), z.record(z.string(), z.unknown())])),
    guard: z.optional(z.union([z.literal(false), z.record(z.string(), z.unknown())])),
    session: z.optional(z.string()),
  });
}

/**
 * Compiles a glob: `*` any characters (none included), `?` one character; everything else literal.
 * @param glob The glob.
 * @returns A regex matching whole names.
 */
export function compileGlob(glob: string): Glob {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * `origin + pathname` of a URL, the key a call's URL is matched on (query and fragment ignored, a
 * trailing slash too).
 * @param url An absolute URL.
 */
export function endpointOf(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  const path = parsed.pathname.length > 1 && parsed.pathname.endsWith('/') ? parsed.pathname.slice(0, -1) : parsed.pathname;
  return `${parsed.origin}${path}`;
}

function resolveLimits(given: McpCallLimits, base: ResolvedLimits | null): ResolvedLimits {
  return {
    timeoutMs: given.timeoutMs ?? base?.timeoutMs ?? null,
    maxConcurrent: given.maxConcurrent ?? null,
    maxQueue: given.maxQueue ?? base?.maxQueue ?? DEFAULT_MAX_QUEUE,
    requestsPerMinute: given.requestsPerMinute ?? null,
  };
}

/**
 * Validates `mcp()` options and resolves them.
 * @param input What the user passed.
 * @returns The servers' policies, the PII and guard settings.
 * @throws {SluiceConfigError} listing every problem, with paths rooted at `mcp()`.
 */
export function resolveMcpOptions(input: McpOptions | undefined): ResolvedMcpOptions {
  const raw: unknown = input ?? {};
  schema ??= optionsSchema();
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new SluiceConfigError(readableIssues(result.error, { root: ROOT, input: raw, knownKeys: (path) => schemaKeys(schema!, path) }));
  }
  const options = raw as McpOptions;
  const issues: ConfigIssue[] = [];
  const servers = new Map<string, ResolvedServer>();
  const endpoints = new Map<string, string>();
  for (const [name, entry] of Object.entries(options.servers)) {
    const endpoint = entry.url === undefined ? null : endpointOf(entry.url);
    if (endpoint !== null) {
      const other = endpoints.get(endpoint);
      if (other !== undefined) issues.push({ path: `${ROOT}.servers.${name}.url`, message: `the same endpoint as servers.${other}` });
      endpoints.set(endpoint, name);
    }
    const limits = resolveLimits(entry, null);
    servers.set(name, {
      name,
      endpoint,
      allow: entry.allow === undefined ? null : entry.allow.map(compileGlob),
      allowText: entry.allow ?? [],
      deny: (entry.deny ?? []).map(compileGlob),
      denyText: entry.deny ?? [],
      limits,
      tools: Object.entries(entry.tools ?? {}).map(([glob, tool]) => ({ glob: compileGlob(glob), text: glob, limits: resolveLimits(tool, limits) })),
      validateArguments: entry.validateArguments ?? true,
      maxMessageBytes: entry.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxNotificationsPerSecond: entry.maxNotificationsPerSecond ?? DEFAULT_NOTIFICATIONS_PER_SECOND,
    });
  }
  if (issues.length > 0) throw new SluiceConfigError(issues);
  return {
    servers,
    pii: options.pii === undefined || options.pii === false ? null : resolvePiiOptions(options.pii),
    guard: options.guard === undefined || options.guard === false ? null : resolveGuardOptions(options.guard),
    session: options.session ?? null,
  };
}
