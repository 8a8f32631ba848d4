/**
 * Sluice: an AI gateway that runs inside the application as a drop-in `fetch` wrapper.
 * This entry uses web platform APIs only; Node-only parts live behind their own subpaths.
 * @module
 */
export { createSluice, type Sluice, type SluiceStats } from './core/sluice.js';
export type {
  SluiceConfig,
  ProviderConfig,
  ModelConfig,
  RouterConfig,
  RouterTargetConfig,
  RouterStrategy,
  RetryConfig,
  StreamConfig,
  CompatConfig,
  ExporterEntry,
  ResolvedProvider,
  AuditConfig,
  ResidencyConfig,
} from './config/types.js';
export type { ResolvedRouter, ResolvedRouterTarget, ResolvedRetry } from './config/parse.js';
export { CallContext, type CallContextInit, type Target } from './core/context.js';
export type { Middleware, Next, PluginLifecycle } from './core/types.js';
export { compose } from './core/compose.js';
export { SluiceError, SluiceConfigError, isSluiceError, type SluiceErrorOptions, type ConfigIssue } from './core/errors.js';
// `errorResponse` is exported from `sluice/plugins`, beside the middleware it serves: Sluice's own
// error answers load on demand, out of this entry.
export type { ErrorResponseInit } from './core/respond.js';
export { classify, type Classification } from './core/classify.js';
export type {
  SluiceCallbacks,
  PreCallResult,
  PreApiCallInfo,
  PostApiCallInfo,
  StreamEventInfo,
} from './core/callbacks.js';
export type { Listener } from './events/emitter.js';
export type { CallRecord, CallOutcome, Dialect, Operation, Usage, RecordError, PhaseTimings, Attempt } from './events/record.js';
export type {
  SluiceEvent,
  SluiceEventType,
  SluiceEventMap,
  EventOf,
  RequestStartEvent,
  AttemptEndEvent,
  RequestEndEvent,
  RequestErrorEvent,
  PassthroughEndEvent,
  ListenerErrorEvent,
  CallbackErrorEvent,
  MetadataDropEvent,
  ExportDropEvent,
  RouteSkipEvent,
} from './events/types.js';
export type { Exporter } from './exporters/types.js';
export type { BatchQueueOptions } from './exporters/batch-queue.js';
export { providerCatalog, type CatalogProvider, type ProviderKind } from './providers/catalog.js';
// The price functions (`findPrice`, `computeCostUsd`, `resolvePrice`) are exported from `sluice/providers`.
export type {
  ModelPrice,
  PriceRates,
  PriceTier,
  PriceWindow,
  PriceChange,
  Pricing,
  PriceTable,
  TokenUsage,
} from './wire/price.js';
