/**
 * Scoped interception of the global `fetch`, for clients that take no `fetch` option (older
 * `@google/genai`, libraries that call `fetch` by name): requests to the chosen hosts go through a
 * Sluice instance, everything else reaches the original `fetch` untouched. Opt-in, on its own
 * subpath (`sluice/intercept`), and undone by `restore()` or by the instance's `close()`.
 * @module
 */
import { INTERNAL, type Sluice, type SluiceInternals } from '../core/sluice.js';

/** Options of {@link interceptGlobalFetch}. */
export interface InterceptOptions {
  /**
   * Host names whose requests go through Sluice (`generativelanguage.googleapis.com`,
   * `api.openai.com`); exact matches, or a leading `*.` for any subdomain.
   */
  hosts: readonly string[];
  /**
   * The object whose `fetch` is replaced.
   * @default globalThis
   */
  target?: { fetch: typeof globalThis.fetch };
}

/** An active interception. */
export interface Interception {
  /** Puts the original `fetch` back; safe to call twice. Later interceptions of the same target are kept. */
  restore(): void;
}

function matcher(hosts: readonly string[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const host of hosts) {
    const lower = host.toLowerCase();
    if (lower.startsWith('*.')) suffixes.push(lower.slice(1));
    else exact.add(lower);
  }
  return (host) => exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix));
}

function hostOf(input: string | URL | Request): string | null {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!URL.canParse(href)) return null;
  return new URL(href).hostname.toLowerCase();
}

/**
 * Routes the global `fetch` calls to chosen hosts through a Sluice instance.
 * @param sluice The instance from `createSluice`.
 * @param options The hosts to intercept.
 * @returns A handle whose `restore()` undoes it; `sluice.close()` undoes it too.
 * @throws {TypeError} when `hosts` is empty or `sluice` is not a Sluice instance.
 * @example
 * import { GoogleGenAI } from '@google/genai';
 * import { createSluice } from 'sluice';
 * import { interceptGlobalFetch } from 'sluice/intercept';
 *
 * const sluice = createSluice();
 * interceptGlobalFetch(sluice, { hosts: ['generativelanguage.googleapis.com'] });
 * const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY }); // no fetch option needed
 * // ... later
 * await sluice.close(); // the global fetch is restored
 */
export function interceptGlobalFetch(sluice: Sluice, options: InterceptOptions): Interception {
  const internals = (sluice as unknown as Record<symbol, SluiceInternals | undefined>)[INTERNAL];
  if (internals === undefined) throw new TypeError('interceptGlobalFetch(): expected an instance from createSluice()');
  if (options.hosts.length === 0) throw new TypeError('interceptGlobalFetch(): give at least one host in options.hosts');
  const target = options.target ?? globalThis;
  const original = target.fetch;
  const isIntercepted = matcher(options.hosts);
  // Sluice's own upstream calls must reach the network, not come back here.
  internals.setUpstreamFetch(original);
  let isActive = true;
  const intercepting: typeof globalThis.fetch = function fetch(input, init) {
    if (!isActive) return original(input, init);
    const host = hostOf(input);
    return host !== null && isIntercepted(host) ? sluice.fetch(input, init) : original(input, init);
  };
  target.fetch = intercepting;
  const restore = (): void => {
    if (!isActive) return;
    isActive = false;
    // Someone may have wrapped fetch after us: leave theirs in place rather than drop it.
    if (target.fetch === intercepting) target.fetch = original;
    internals.setUpstreamFetch(null);
  };
  internals.onClose(restore);
  return { restore };
}
