/**
 * The middleware contract.
 * @module
 */
import type { CallContext } from './context.js';
import type { Sluice } from './sluice.js';

/** Calls the rest of the pipeline for a context and resolves with its response. */
export type Next = (ctx: CallContext) => Promise<Response>;

/**
 * A pipeline step: read or change the call through `ctx`, then return `next(ctx)`, a response built
 * from it, or a response of its own (short-circuit). Throw a `SluiceError` with a `status` to refuse
 * the call: the SDK receives it as an error response in its dialect.
 * @example
 * const tagged: Middleware = async function tagged(ctx, next) {
 *   ctx.tags = [...ctx.tags, 'beta'];
 *   return next(ctx);
 * };
 */
export type Middleware = (ctx: CallContext, next: Next) => Promise<Response>;

/**
 * What a plugin's middleware may carry so the instance can finish its work (as properties of the
 * middleware function, as `budget()`'s and `cache()`'s do): `sluice.flush()` calls
 * `flush()` (budget charges and cache writes still in flight land), `sluice.close()` calls `flush()`
 * then `close()`.
 */
export interface PluginLifecycle {
  /** Resolves when the work the plugin started for ended calls has landed (or failed). */
  flush?: () => Promise<void>;
  /** Releases what the plugin holds; called once by `sluice.close()`, after `flush()`. */
  close?: () => Promise<void>;
  /**
   * Whether the plugin would keep prompts or answers beyond the call (a shared cache store, captured
   * span content): a message saying what and how to avoid it, or `undefined` when nothing. Under
   * `retention: 'none'` a message refuses the configuration (`createSluice` throws it at `use[i]`).
   */
  retains?: () => string | undefined;
}

/**
 * What `createSluice({ mcp })` takes: the handler `mcp()` from `sluice/mcp` returns (docs/mcp.md). The
 * instance asks it about every call it does not model; it answers `null` for traffic that is not to a
 * configured MCP server (which then passes through untouched), or the Response it produced.
 */
export type McpHook = (sluice: Sluice, input: string | URL | Request, init: RequestInit | undefined, method: string, url: string) => Promise<Response> | null;
