/**
 * Every event Sluice emits, as one discriminated union on `type`.
 * @module
 */
import type { Attempt, CallRecord, Dialect, GuardAction, Operation } from './record.js';

/** A modelled call has been classified and is entering the pipeline. */
export interface RequestStartEvent {
  type: 'request:start';
  /** The Sluice call id. */
  id: string;
  /** Wall-clock start, milliseconds since the epoch. */
  startedAt: number;
  dialect: Dialect;
  operation: Operation;
  /** The model the SDK asked for. */
  requestedModel: string | null;
  /** Whether the SDK asked for a stream. */
  streamed: boolean;
}

/** One upstream request of a call has its outcome (JSON answers: body read; streams: headers received). */
export interface AttemptEndEvent {
  type: 'attempt:end';
  /** The Sluice call id. */
  id: string;
  /** The attempt, as it will appear in the record's `attempts`. */
  attempt: Attempt;
  /** Its position in `attempts`, from 0. */
  index: number;
}

/** A modelled call has ended, whatever the outcome. Carries the record. */
export interface RequestEndEvent {
  type: 'request:end';
  record: CallRecord;
}

/** A modelled call ended in an error (fires after `request:end` for the same call). */
export interface RequestErrorEvent {
  type: 'request:error';
  record: CallRecord;
}

/** A call Sluice does not model (files, batches, the SDKs' `data:` probe, ...) passed through untouched. */
export interface PassthroughEndEvent {
  type: 'passthrough:end';
  /** HTTP method, upper case. */
  method: string;
  /** The URL with its query string removed (query strings can carry keys). */
  url: string;
  /** HTTP status, or `null` when the call failed at the network level. */
  status: number | null;
  /** Milliseconds until the response headers arrived or the call failed. */
  latencyMs: number;
}

/** An event listener threw. The call it observed was not affected. */
export interface ListenerErrorEvent {
  type: 'listener:error';
  /** The event whose listener threw. */
  event: string;
  error: unknown;
}

/** A user callback (LiteLLM-style) threw, rejected or timed out. The call was not affected. */
export interface CallbackErrorEvent {
  type: 'callback:error';
  /** The callback method, such as `logSuccessEvent` or `successCallback[0]`. */
  hook: string;
  /** The call id the callback was invoked for. */
  id: string;
  error: unknown;
}

/**
 * A call's `x-sluice-metadata` header was ignored (the config's `metadata` still applies): it was not a
 * JSON object, or longer than 8 KB. The call went on.
 */
export interface MetadataDropEvent {
  type: 'metadata:drop';
  /** The call id. */
  id: string;
  /** `invalid`: not a JSON object; `too_large`: over 8 KB. */
  reason: 'invalid' | 'too_large';
  /** The header's length in bytes. */
  bytes: number;
}

/** An exporter dropped records: its queue was full, or every retry failed. */
export interface ExportDropEvent {
  type: 'export:drop';
  /** The exporter's name. */
  exporter: string;
  /** How many records were dropped by this event. */
  count: number;
  /** Why: the queue was full, every retry failed, the queue was closed, or the destination refused these records for good. */
  reason: 'queue_full' | 'export_failed' | 'closed' | 'rejected';
  /** Total dropped by this exporter since it started. */
  totalDropped: number;
}

/** The cache answered a call. */
export interface CacheHitEvent {
  type: 'cache:hit';
  /** The Sluice call id. */
  id: string;
  /** The cache namespace the entry lives in. */
  namespace: string;
  /** Whether the answer was replayed as a stream. */
  streamed: boolean;
  /** What the original call cost, saved by this hit; `null` when its price is unknown. */
  savedUsd: number | null;
}

/** The cache had no answer for a call it could have served. */
export interface CacheMissEvent {
  type: 'cache:miss';
  /** The Sluice call id. */
  id: string;
  /** The cache namespace looked in. */
  namespace: string;
}

/** A call waits for a concurrency slot or rate-limit tokens. */
export interface LimitWaitEvent {
  type: 'limit:wait';
  /** The Sluice call id. */
  id: string;
  /** The limit's name, e.g. `rpm:provider:openai`. */
  limit: string;
  /** How long the call is expected to wait, in ms (an estimate for concurrency slots). */
  waitMs: number;
}

/** A call was refused by a concurrency or rate limit (it reaches the SDK as a 429). */
export interface LimitRejectEvent {
  type: 'limit:reject';
  /** The Sluice call id. */
  id: string;
  /** The limit's name. */
  limit: string;
  /** When retrying could succeed, in ms; `null` when unknown. */
  retryAfterMs: number | null;
}

/** A budget crossed one of its alert thresholds (fires once per threshold per period). */
export interface BudgetThresholdEvent {
  type: 'budget:threshold';
  /** The budget's name, e.g. `user:alice` or `global`. */
  budget: string;
  /** The threshold crossed, as a fraction of the limit (0.8 for 80 %). */
  threshold: number;
  /** Spent in the current period, in USD. */
  spentUsd: number;
  /** The period's limit, in USD. */
  limitUsd: number;
}

/** A call was refused because a budget is spent. */
export interface BudgetRejectEvent {
  type: 'budget:reject';
  /** The Sluice call id. */
  id: string;
  /** The budget's name. */
  budget: string;
  /** Spent in the current period, in USD. */
  spentUsd: number;
  /** The period's limit, in USD. */
  limitUsd: number;
}

/** A guard rule (PII, injection, content) matched a call. Never carries the matched text. */
export interface GuardMatchEvent {
  type: 'guard:match';
  /** The Sluice call id. */
  id: string;
  /** The rule's name, e.g. `email` or `prompt-injection`. */
  rule: string;
  /** What was done. */
  action: GuardAction;
  /** How many matches. */
  count: number;
}

/** A shared store (Redis) failed; the plugin fell back as configured. */
export interface StoreErrorEvent {
  type: 'store:error';
  /** The plugin that used the store (`cache`, `limits`, `budget`). */
  plugin: string;
  /** The error message, without keys or values. */
  message: string;
  /** Whether the plugin let calls through (`true`) or refused them (`false`). */
  failOpen: boolean;
}

/** A shared store that had failed answers again. */
export interface StoreRecoverEvent {
  type: 'store:recover';
  /** The plugin that uses the store. */
  plugin: string;
  /** How long the store was unavailable, in ms. */
  downMs: number;
}

/** A router retries a call on the same target after a retriable failure. */
export interface RouteRetryEvent {
  type: 'route:retry';
  /** The Sluice call id. */
  id: string;
  /** The target, `provider/model`. */
  target: string;
  /** Which retry this is on the target, from 1. */
  retry: number;
  /** How long the router waits first, in ms. */
  delayMs: number;
  /** What failed: `HTTP 503`, `network_error`, `timeout`. */
  reason: string;
}

/** A router moves a call to its next target. */
export interface RouteFallbackEvent {
  type: 'route:fallback';
  /** The Sluice call id. */
  id: string;
  /** The target that failed. */
  from: string;
  /** The target tried next. */
  to: string;
  /** What failed: `HTTP 503`, `network_error`, `context_length`... */
  reason: string;
}

/**
 * A router left a target out of a call's plan: the residency policy does not allow its region, it is
 * ejected (health), or it is half-open with its one probe already in flight.
 */
export interface RouteSkipEvent {
  type: 'route:skip';
  /** The Sluice call id. */
  id: string;
  /** The target, `provider/model`. */
  target: string;
  /** Why. */
  reason: 'residency' | 'ejected' | 'probe_in_flight';
  /** The target's region (`null` when unknown); for `residency`, the policy it is outside of. */
  region: string | null;
  /** For `residency`: the policy in words (`residency.allow [eu]`); otherwise `null`. */
  policy: string | null;
}

/** A target was taken out of rotation (passive health checks) or cooled down after a 429. */
export interface TargetEjectEvent {
  type: 'target:eject';
  /** The target, `provider/model`. */
  target: string;
  /** Why. */
  reason: 'consecutive_failures' | 'error_rate' | 'probe_failed' | 'rate_limited';
  /** For how long, in ms; then one probe call is let through (or, after a 429, it is simply back). */
  forMs: number;
  /** Ejections in a row; the cooldown doubles with each. */
  ejections: number;
}

/** An ejected target answered its probe call and is back in rotation. */
export interface TargetRecoverEvent {
  type: 'target:recover';
  /** The target, `provider/model`. */
  target: string;
  /** How long it was out, in ms. */
  downMs: number;
}

/** Every target of a router was ejected: the one due back first is tried anyway. */
export interface TargetForceEvent {
  type: 'target:force';
  /** The Sluice call id. */
  id: string;
  /** The target tried although ejected. */
  target: string;
}

/** Any Sluice event. */
export type SluiceEvent =
  | RequestStartEvent
  | AttemptEndEvent
  | RequestEndEvent
  | RequestErrorEvent
  | PassthroughEndEvent
  | ListenerErrorEvent
  | CallbackErrorEvent
  | MetadataDropEvent
  | ExportDropEvent
  | CacheHitEvent
  | CacheMissEvent
  | LimitWaitEvent
  | LimitRejectEvent
  | BudgetThresholdEvent
  | BudgetRejectEvent
  | GuardMatchEvent
  | StoreErrorEvent
  | StoreRecoverEvent
  | RouteRetryEvent
  | RouteFallbackEvent
  | RouteSkipEvent
  | TargetEjectEvent
  | TargetRecoverEvent
  | TargetForceEvent;

/** The event names. */
export type SluiceEventType = SluiceEvent['type'];

/** Maps each event name to its listener arguments, for eventemitter3's typed API. */
export type SluiceEventMap = { [E in SluiceEvent as E['type']]: [event: E] };

/** The payload of one event type. */
export type EventOf<T extends SluiceEventType> = Extract<SluiceEvent, { type: T }>;
