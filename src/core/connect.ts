/**
 * `timeouts.connectMs` on Node's built-in `fetch`: an undici `Agent` whose connections give up after
 * the limit, built from the class of Node's own global dispatcher (so no undici package is needed and
 * nothing Node-only is imported), passed as the request's `dispatcher`. Loaded only by configurations
 * that set the limit. Elsewhere (Bun, Deno, a custom `fetch`) it is `null`, and connecting counts under
 * `firstByteMs` only.
 * @module
 */

/** Where undici keeps the global dispatcher (what `setGlobalDispatcher` sets). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** The undici error code of a connect timeout. */
export const CONNECT_TIMEOUT_CODE = 'UND_ERR_CONNECT_TIMEOUT';

interface ClosableDispatcher {
  close(): Promise<void>;
}

type AgentClass = new (options: { connect: { timeout: number } }) => ClosableDispatcher;

/** Dispatchers by connect limit: one per distinct configured value, closed with the instance. */
export class ConnectLimits {
  readonly #dispatchers = new Map<number, ClosableDispatcher>();
  #agent: AgentClass | null | undefined;

  /**
   * The dispatcher that enforces `ms`, or `null` where none can be made.
   * @param ms The connect limit.
   */
  async dispatcherFor(ms: number): Promise<unknown> {
    const found = this.#dispatchers.get(ms);
    if (found !== undefined) return found;
    const Agent = await this.#agentClass();
    if (Agent === null) return null;
    const dispatcher = new Agent({ connect: { timeout: ms } });
    this.#dispatchers.set(ms, dispatcher);
    return dispatcher;
  }

  /** Closes every dispatcher made (their idle keep-alive sockets included). */
  async close(): Promise<void> {
    const dispatchers = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.close().catch(() => {})));
  }

  async #agentClass(): Promise<AgentClass | null> {
    if (this.#agent !== undefined) return this.#agent;
    const registry = globalThis as unknown as Record<symbol, unknown>;
    // Node creates its undici lazily, on the first fetch: a `data:` URL creates it without any I/O.
    if (registry[GLOBAL_DISPATCHER] === undefined && typeof globalThis.fetch === 'function') {
      await globalThis.fetch('data:,').then((response) => response.body?.cancel(), () => undefined);
    }
    const dispatcher = registry[GLOBAL_DISPATCHER] as { constructor?: unknown } | undefined;
    const candidate = dispatcher?.constructor;
    // Only Node's own Agent is known to take `{ connect: { timeout } }`; a user's ProxyAgent or mock is left alone.
    this.#agent = typeof candidate === 'function' && candidate.name === 'Agent' ? (candidate as AgentClass) : null;
    return this.#agent;
  }
}

/**
 * Whether a fetch rejection is undici's connect timeout.
 * @param error The rejection.
 */
export function isConnectTimeout(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return cause?.code === CONNECT_TIMEOUT_CODE || (error as { code?: unknown } | null)?.code === CONNECT_TIMEOUT_CODE;
}
