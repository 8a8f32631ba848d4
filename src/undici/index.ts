/**
 * An undici global dispatcher that routes a Node process's `fetch` (and `undici.request`) traffic for
 * chosen hosts through a Sluice instance, for clients that take no `fetch` option and call Node's
 * global `fetch` or undici directly. Every other request reaches the previous global dispatcher
 * unchanged. Opt-in, Node-only, on its own subpath (`sluice/undici`), and undone by `restore()` or
 * by the instance's `close()`.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Sluice, SluiceInternals } from '../core/sluice.js';
import { Exchange, legacyHandler } from './exchange.js';
import { toInit, urlOf, type NodeRequestInit } from './request.js';
import type { DispatchHandler, DispatchOptions, UndiciDispatcher } from './types.js';

export type {
  AbortDispatch,
  ControllerDispatchHandler,
  DispatchBody,
  DispatchController,
  DispatchHandler,
  DispatchHeaders,
  DispatchOptions,
  LegacyDispatchHandler,
  UndiciDispatcher,
} from './types.js';

/** `INTERNAL` of core/sluice.ts, spelled out so this entry does not load the core for one symbol. */
const INTERNAL = Symbol.for('sluice.internal');

/** Where undici (npm and Node's bundled copy alike) keeps the global dispatcher; what `setGlobalDispatcher` writes. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** Options of {@link installSluiceDispatcher}. */
export interface SluiceDispatcherOptions {
  /**
   * Host names whose requests go through Sluice (`api.openai.com`, `127.0.0.1`); exact matches, or a
   * leading `*.` for any subdomain (`*.openai.azure.com`). Ports are not compared.
   */
  hosts: readonly string[];
}

/** An installed dispatcher. */
export interface SluiceDispatcherInstallation {
  /** Puts the previous global dispatcher back; safe to call twice. A dispatcher installed after this one is kept. */
  restore(): void;
}

function readGlobal(): unknown {
  return (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
}

function writeGlobal(dispatcher: UndiciDispatcher): void {
  // The attributes undici's setGlobalDispatcher uses, so either can replace the other later.
  Object.defineProperty(globalThis, GLOBAL_DISPATCHER, { value: dispatcher, writable: true, enumerable: false, configurable: false });
}

function isDispatcher(value: unknown): value is UndiciDispatcher {
  return typeof value === 'object' && value !== null && typeof (value as { dispatch?: unknown }).dispatch === 'function';
}

/**
 * The current global dispatcher. Node 20 creates its default Agent when it loads its bundled undici,
 * on the first `fetch` call; a call with no arguments loads it and rejects before any I/O.
 */
function loadGlobalDispatcher(): UndiciDispatcher {
  if (readGlobal() === undefined) {
    try {
      const pending: unknown = Reflect.apply(globalThis.fetch, globalThis, []);
      if (pending instanceof Promise) pending.catch(() => {});
    } catch {
      // A wrapped fetch may throw synchronously; the check below reports what matters.
    }
  }
  const current = readGlobal();
  if (!isDispatcher(current)) {
    throw new TypeError("installSluiceDispatcher(): no undici global dispatcher found; this entry needs Node's built-in fetch (Node 20+)");
  }
  return current;
}

function bare(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

function matcher(hosts: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const host of hosts) {
    if (host.startsWith('*.')) suffixes.push(bare(host.slice(1)));
    else exact.add(bare(host));
  }
  return (host) => {
    const name = bare(host);
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
  };
}

/**
 * Rethrows what the inner `fetch` wrapped in `TypeError('fetch failed')`: the caller's `fetch` wraps the
 * error again, and `error.cause.code` (`ECONNREFUSED`) should read as it does without Sluice.
 */
function unwrapFetchError(error: unknown): never {
  if (error instanceof TypeError && error.message === 'fetch failed' && error.cause instanceof Error) throw error.cause;
  throw error;
}

function closedError(name: 'ClientClosedError' | 'ClientDestroyedError'): Error {
  const isClosed = name === 'ClientClosedError';
  return Object.assign(new Error(isClosed ? 'The client is closed' : 'The client is destroyed'), {
    name,
    code: isClosed ? 'UND_ERR_CLOSED' : 'UND_ERR_DESTROYED',
  });
}

/** The undici API methods that only call `this.dispatch`, borrowed from the previous dispatcher. */
type BorrowedMethod = 'request' | 'stream' | 'pipeline' | 'connect' | 'upgrade' | 'compose';

/**
 * The dispatcher {@link installSluiceDispatcher} installs. It extends `EventEmitter` as undici's
 * dispatchers do, but emits nothing itself: connection events belong to the previous dispatcher.
 */
class SluiceDispatcher extends EventEmitter implements UndiciDispatcher {
  readonly #sluice: Sluice;
  readonly #previous: UndiciDispatcher;
  readonly #isIntercepted: (host: string) => boolean;
  /** Exchanges in flight, for `close()` and `destroy()`; each removes itself when it ends. */
  readonly #exchanges = new Set<Exchange>();
  #isActive = true;
  #state: 'open' | 'closed' | 'destroyed' = 'open';

  constructor(sluice: Sluice, previous: UndiciDispatcher, isIntercepted: (host: string) => boolean) {
    super();
    this.#sluice = sluice;
    this.#previous = previous;
    this.#isIntercepted = isIntercepted;
  }

  /** undici's `fetch` reads it to pick the body form it passes; a `MockAgent` underneath keeps working. */
  get isMockActive(): boolean {
    return (this.#previous as { isMockActive?: unknown }).isMockActive === true;
  }

  /** Stops intercepting: from now on every request goes to the previous dispatcher. */
  detach(): void {
    this.#isActive = false;
  }

  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean {
    if (typeof handler !== 'object' || handler === null) throw new TypeError('dispatch(): handler must be an object');
    if (this.#state !== 'open') {
      legacyHandler(handler).onError?.(closedError(this.#state === 'closed' ? 'ClientClosedError' : 'ClientDestroyedError'));
      return false;
    }
    // Upgrades (WebSocket) and CONNECT have no fetch equivalent: they go out as they came.
    const isPlain = this.#isActive && !options.upgrade && options.method.toUpperCase() !== 'CONNECT';
    const url = isPlain ? urlOf(options) : null;
    if (url === null || !this.#isIntercepted(url.hostname)) return this.#previous.dispatch(options, handler);

    const exchange = new Exchange(legacyHandler(handler));
    exchange.connect();
    if (exchange.isFinished) return true;
    let init: NodeRequestInit;
    try {
      init = toInit(options, exchange.signal);
    } catch (error) {
      exchange.fail(error instanceof Error ? error : new TypeError(String(error)));
      return true;
    }
    this.#exchanges.add(exchange);
    void exchange.run(() => this.#sluice.fetch(url.href, init).catch(unwrapFetchError)).then(() => this.#exchanges.delete(exchange));
    return true;
  }

  /**
   * Refuses new requests, waits for the ones in flight, then closes the previous dispatcher.
   * @param callback Called when done, instead of returning a promise.
   */
  close(): Promise<void>;
  close(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): Promise<void> | void {
    const closing = this.#close();
    if (callback === undefined) return closing;
    closing.then(() => callback(null), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * Fails the requests in flight with `error`, then destroys the previous dispatcher.
   * @param error The error in-flight requests fail with.
   * @param callback Called when done, instead of returning a promise.
   */
  destroy(error?: Error | null): Promise<void>;
  destroy(callback: (error: Error | null) => void): void;
  destroy(error: Error | null, callback: (error: Error | null) => void): void;
  destroy(
    errorOrCallback?: Error | null | ((error: Error | null) => void),
    callback?: (error: Error | null) => void,
  ): Promise<void> | void {
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const destroying = this.#destroy(error);
    if (done === undefined) return destroying;
    destroying.then(() => done(null), (failure: unknown) => done(failure instanceof Error ? failure : new Error(String(failure))));
  }

  /** undici's `request()` API, bound to this dispatcher. */
  request(...args: unknown[]): unknown {
    return this.#borrow('request', args);
  }

  /** undici's `stream()` API, bound to this dispatcher. */
  stream(...args: unknown[]): unknown {
    return this.#borrow('stream', args);
  }

  /** undici's `pipeline()` API, bound to this dispatcher. */
  pipeline(...args: unknown[]): unknown {
    return this.#borrow('pipeline', args);
  }

  /** undici's `connect()` API, bound to this dispatcher (always passed through). */
  connect(...args: unknown[]): unknown {
    return this.#borrow('connect', args);
  }

  /** undici's `upgrade()` API, bound to this dispatcher (always passed through). */
  upgrade(...args: unknown[]): unknown {
    return this.#borrow('upgrade', args);
  }

  /** undici's `compose()`, wrapping this dispatcher in interceptors. */
  compose(...args: unknown[]): unknown {
    return this.#borrow('compose', args);
  }

  async #close(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closed';
    await Promise.all([...this.#exchanges].map((exchange) => exchange.settled));
    await this.#previous.close?.();
  }

  async #destroy(error: Error | null): Promise<void> {
    this.#state = 'destroyed';
    const reason = error ?? closedError('ClientDestroyedError');
    for (const exchange of this.#exchanges) exchange.fail(reason);
    await this.#previous.destroy?.(error);
  }

  #borrow(name: BorrowedMethod, args: unknown[]): unknown {
    // undici's API functions only call `this.dispatch`, so the previous dispatcher's run on this one.
    const method = (this.#previous as unknown as Record<BorrowedMethod, unknown>)[name];
    if (typeof method !== 'function') throw new TypeError(`sluice/undici: the previous global dispatcher has no ${name}() to borrow`);
    return Reflect.apply(method, this, args) as unknown;
  }
}

/**
 * Installs a global undici dispatcher that sends requests for the chosen hosts through Sluice.
 * @param sluice The instance from `createSluice`.
 * @param options The hosts to route through Sluice.
 * @returns A handle whose `restore()` puts the previous dispatcher back; `sluice.close()` does too.
 * @throws {TypeError} when `hosts` is empty, `sluice` is not a Sluice instance, or the runtime has no
 * undici global dispatcher.
 * @example
 * import OpenAI from 'openai';
 * import { createSluice } from 'sluice';
 * import { installSluiceDispatcher } from 'sluice/undici';
 *
 * const sluice = createSluice();
 * installSluiceDispatcher(sluice, { hosts: ['api.openai.com'] });
 * const openai = new OpenAI(); // no fetch option: Node's global fetch now goes through Sluice
 * // ... later
 * await sluice.close(); // the previous global dispatcher is back
 */
export function installSluiceDispatcher(sluice: Sluice, options: SluiceDispatcherOptions): SluiceDispatcherInstallation {
  const internals = (sluice as unknown as Record<symbol, SluiceInternals | undefined>)[INTERNAL];
  if (internals === undefined) throw new TypeError('installSluiceDispatcher(): expected an instance from createSluice()');
  if (options.hosts.length === 0) throw new TypeError('installSluiceDispatcher(): give at least one host in options.hosts');
  for (const host of options.hosts) {
    if (typeof host !== 'string' || host === '' || host === '*.') throw new TypeError(`installSluiceDispatcher(): invalid host ${JSON.stringify(host)} in options.hosts`);
  }
  const previous = loadGlobalDispatcher();
  const baseFetch = globalThis.fetch;
  const dispatcher = new SluiceDispatcher(sluice, previous, matcher(options.hosts));
  // Sluice's own upstream calls go to the previous dispatcher, not back into this one.
  internals.setUpstreamFetch((input, init) => baseFetch(input, { ...init, dispatcher: previous } as NodeRequestInit));
  writeGlobal(dispatcher);
  let isInstalled = true;
  const restore = (): void => {
    if (!isInstalled) return;
    isInstalled = false;
    dispatcher.detach();
    // Someone may have installed a dispatcher after us: leave theirs in place; ours now passes everything on.
    if (readGlobal() === dispatcher) writeGlobal(previous);
    internals.setUpstreamFetch(null);
  };
  internals.onClose(restore);
  return { restore };
}
