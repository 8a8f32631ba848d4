/**
 * `sluice/node`: the Node transport for Sluice's upstream calls, over undici's dispatcher API (Node's own
 * bundled undici; no dependency). Node only; never imported by the core entry.
 *
 * ```ts
 * import { createSluice } from 'sluice';
 * import { nodeTransport } from 'sluice/node';
 * const sluice = createSluice({ fetch: nodeTransport() });
 * ```
 * @module
 */
export { nodeTransport } from './transport.js';
export type {
  DispatcherRequest,
  DispatcherResponse,
  NodeTransport,
  NodeTransportOptions,
  NodeTransportTimeouts,
  TransportDispatcher,
  TransportHooks,
} from './transport.js';
